import type { Selectable } from 'kysely';
import type { TemplateEventsTable, TemplatesTable, TemplateVersionsTable } from '../../db/index.js';
import type { CreateTemplateRequest, TemplateCategory, TemplateComponentDefinition } from '../../whatsapp/index.js';

/** The status of a template that exists only here, not yet submitted to the provider. */
export const DRAFT = 'DRAFT';
/** The status of a template deleted at the provider (or a deleted draft); the row stays for its history. */
export const DELETED = 'DELETED';

/** A template as the API shows it. */
export interface TemplateView {
  id: string;
  waba_id: string;
  provider_template_id: string | null;
  name: string;
  language: string;
  category: TemplateCategory;
  parameter_format: 'POSITIONAL' | 'NAMED' | null;
  status: string;
  rejected_reason: string | null;
  /** What the provider said about the last status: a rejection's details, a disable date. */
  status_details: string | null;
  quality_score: string | null;
  previous_category: string | null;
  components: TemplateComponentDefinition[];
  version: number;
  submitted_at: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface TemplateVersionView {
  version: number;
  category: string;
  parameter_format: string | null;
  components: TemplateComponentDefinition[];
  created_by: string;
  created_at: string;
  submitted_at: string | null;
  status: string;
}

export interface TemplateEventView {
  kind: 'status' | 'quality' | 'category';
  version: number | null;
  status: string | null;
  previous_status: string | null;
  reason: string | null;
  quality_score: string | null;
  previous_quality_score: string | null;
  category: string | null;
  previous_category: string | null;
  details: Record<string, unknown> | null;
  source: 'webhook' | 'sync' | 'api';
  at: string;
}

export function toTemplateView(row: TemplatesTable): TemplateView {
  return {
    id: row.id,
    waba_id: row.waba_id,
    provider_template_id: row.provider_template_id,
    name: row.name,
    language: row.language,
    category: row.category as TemplateCategory,
    parameter_format: row.parameter_format as TemplateView['parameter_format'],
    status: row.status,
    rejected_reason: row.rejected_reason,
    status_details: row.status_details,
    quality_score: row.quality_score,
    previous_category: row.previous_category,
    components: JSON.parse(row.components) as TemplateComponentDefinition[],
    version: row.version,
    submitted_at: row.submitted_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
    deleted_at: row.deleted_at,
  };
}

export function toVersionView(row: TemplateVersionsTable): TemplateVersionView {
  return {
    version: row.version,
    category: row.category,
    parameter_format: row.parameter_format,
    components: JSON.parse(row.components) as TemplateComponentDefinition[],
    created_by: row.created_by,
    created_at: row.created_at,
    submitted_at: row.submitted_at,
    status: row.status,
  };
}

export function toEventView(row: Selectable<TemplateEventsTable>): TemplateEventView {
  return {
    kind: row.kind as TemplateEventView['kind'],
    version: row.version,
    status: row.status,
    previous_status: row.previous_status,
    reason: row.reason,
    quality_score: row.quality_score,
    previous_quality_score: row.previous_quality_score,
    category: row.category,
    previous_category: row.previous_category,
    details: row.details === null ? null : (JSON.parse(row.details) as Record<string, unknown>),
    source: row.source as TemplateEventView['source'],
    at: row.at,
  };
}

/** The definition a stored template submits: what `lintTemplate`, `previewTemplate` and the provider take. */
export function definitionOf(row: Pick<TemplatesTable, 'name' | 'language' | 'category' | 'parameter_format' | 'components'>): CreateTemplateRequest {
  return {
    name: row.name,
    language: row.language,
    category: row.category as TemplateCategory,
    ...(row.parameter_format ? { parameter_format: row.parameter_format as 'POSITIONAL' | 'NAMED' } : {}),
    components: JSON.parse(row.components) as TemplateComponentDefinition[],
  };
}

/**
 * JSON with object keys sorted, so two definitions that differ only in key order (ours and the
 * provider's echo of it) compare equal.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
