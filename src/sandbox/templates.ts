import type { CreateTemplateRequest, TemplateRecord, TemplateStatus } from '../whatsapp/wire.js';
import type { SandboxEngine } from './engine.js';
import { newTemplateId } from './ids.js';
import { metaFailure, type MetaFailure } from './meta-errors.js';
import type { StoredTemplate } from './state.js';
import { reviewTemplate, validateTemplateCreate } from './template-review.js';

const CREATIONS_PER_HOUR = 100;

export type TemplateOutcome<T> = { ok: true; value: T } | { ok: false; failure: MetaFailure };

/**
 * Template management on a WABA as Meta runs it: synchronous format checks, then a review that
 * approves or rejects after a delay, reported by `message_template_status_update` webhooks.
 */
export class SandboxTemplates {
  readonly #creations = new Map<string, number[]>();

  constructor(private readonly engine: SandboxEngine) {}

  create(wabaId: string, body: unknown): TemplateOutcome<{ id: string; status: 'PENDING'; category: string }> {
    const validation = validateTemplateCreate(body);
    if (!validation.ok) return validation;
    const input = validation.template;
    const now = this.engine.clock.now();
    const recent = (this.#creations.get(wabaId) ?? []).filter((t) => now - t < 3600_000);
    if (recent.length >= CREATIONS_PER_HOUR) {
      return { ok: false, failure: metaFailure(100, `At most ${CREATIONS_PER_HOUR} templates can be created per WABA per hour.`) };
    }
    const clash = this.#all(wabaId).find((t) => t.name === input.name && t.language === input.language);
    if (clash) {
      return {
        ok: false,
        failure: metaFailure(100, `Content in this language already exists: ${input.name} (${input.language}) is template ${clash.id}.`, 2388024),
      };
    }
    recent.push(now);
    this.#creations.set(wabaId, recent);
    const template: StoredTemplate = {
      id: newTemplateId(),
      wabaId,
      name: input.name,
      language: input.language,
      category: input.category,
      status: 'PENDING',
      components: input.components,
      ...(input.parameter_format ? { parameter_format: input.parameter_format } : {}),
      createdAt: now,
      pauseCount: 0,
    };
    this.engine.state.templates.set(template.id, template);
    this.engine.state.touch();
    this.#scheduleReview(template, input);
    return { ok: true, value: { id: template.id, status: 'PENDING', category: template.category } };
  }

  /**
   * `POST /{template-id}`: new components or category; the template goes back to review.
   * Meta's editing rules: only APPROVED, REJECTED or PAUSED templates can be edited; an
   * APPROVED template keeps its category and can be edited once per 24 hours and 10 times per
   * 30 days; REJECTED and PAUSED ones as often as needed.
   */
  edit(templateId: string, body: unknown): TemplateOutcome<{ success: true }> {
    const template = this.engine.state.templates.get(templateId);
    if (!template) return { ok: false, failure: metaFailure(100, `Template ${templateId} does not exist.`) };
    const patch = (body ?? {}) as Partial<CreateTemplateRequest>;
    const refusal = editRefusal(template, patch, this.engine.clock.now());
    if (refusal) return { ok: false, failure: refusal };
    const validation = validateTemplateCreate({
      name: template.name,
      language: template.language,
      category: patch.category ?? template.category,
      parameter_format: patch.parameter_format ?? template.parameter_format,
      components: patch.components ?? template.components,
    });
    if (!validation.ok) return validation;
    if (template.status === 'APPROVED') template.approvedEdits = [...recentEdits(template, this.engine.clock.now(), EDIT_WINDOW_MS), this.engine.clock.now()];
    template.components = validation.template.components;
    if (validation.template.category !== template.category) template.previous_category = template.category;
    template.category = validation.template.category;
    template.status = 'PENDING';
    delete template.rejected_reason;
    this.engine.state.touch();
    this.#scheduleReview(template, validation.template);
    return { ok: true, value: { success: true } };
  }

  list(wabaId: string, query: Record<string, string | undefined>): { data: TemplateRecord[]; paging?: object } {
    const filtered = this.#all(wabaId).filter(
      (t) =>
        (!query.name || t.name.includes(query.name)) &&
        (!query.status || query.status.split(',').includes(t.status)) &&
        (!query.category || query.category.split(',').includes(t.category)) &&
        (!query.language || t.language === query.language),
    );
    const limit = Math.min(Math.max(Number(query.limit) || 25, 1), 1000);
    const start = query.after ? decodeCursor(query.after) + 1 : 0;
    const page = filtered.slice(start, start + limit);
    if (page.length === 0) return { data: [] };
    const first = start;
    const last = start + page.length - 1;
    const paging: { cursors: { before: string; after: string }; next?: string } = {
      cursors: { before: encodeCursor(first), after: encodeCursor(last) },
    };
    if (last + 1 < filtered.length) paging.next = `?limit=${limit}&after=${encodeCursor(last)}`;
    return { data: page.map(toRecord), paging };
  }

  get(templateId: string): TemplateRecord | undefined {
    const template = this.engine.state.templates.get(templateId);
    return template ? toRecord(template) : undefined;
  }

  /** `DELETE /{waba-id}/message_templates?name=...[&hsm_id=...]`. */
  delete(wabaId: string, name: string | undefined, hsmId: string | undefined): TemplateOutcome<{ success: true }> {
    if (!name) return { ok: false, failure: metaFailure(131008, 'name: the template name to delete is required.') };
    const victims = this.#all(wabaId).filter((t) => t.name === name && (!hsmId || t.id === hsmId));
    if (victims.length === 0) {
      return { ok: false, failure: metaFailure(100, `No template named ${name}${hsmId ? ` with id ${hsmId}` : ''} exists on this WABA.`) };
    }
    for (const template of victims) this.engine.state.templates.delete(template.id);
    this.engine.state.touch();
    return { ok: true, value: { success: true } };
  }

  /**
   * Sets a template's status as Meta would after quality signals (`PAUSED`, `DISABLED`) or an
   * appeal (`APPROVED`), and sends the status webhook. A third pause disables the template.
   */
  setStatus(templateId: string, status: Extract<TemplateStatus, 'APPROVED' | 'PAUSED' | 'DISABLED' | 'REJECTED'>, reason?: string): TemplateRecord | undefined {
    const template = this.engine.state.templates.get(templateId);
    if (!template) return undefined;
    let next: TemplateStatus = status;
    if (status === 'PAUSED') {
      template.pauseCount += 1;
      if (template.pauseCount >= 3) next = 'DISABLED';
      const previous = template.quality_score?.score ?? 'UNKNOWN';
      template.quality_score = { score: 'RED' };
      // Meta pauses a template because its quality fell to RED, and says so first.
      if (previous !== 'RED') {
        this.engine.emit(template.wabaId, 'message_template_quality_update', {
          previous_quality_score: previous,
          new_quality_score: 'RED',
          message_template_id: Number(template.id),
          message_template_name: template.name,
          message_template_language: template.language,
        });
      }
    }
    this.#transition(template, next, reason ?? (next === 'REJECTED' ? 'INVALID_FORMAT' : 'NONE'));
    return toRecord(template);
  }

  #all(wabaId: string): StoredTemplate[] {
    return [...this.engine.state.templates.values()].filter((t) => t.wabaId === wabaId);
  }

  #scheduleReview(template: StoredTemplate, input: CreateTemplateRequest): void {
    const decision = reviewTemplate(input);
    this.engine.later(this.engine.options.templateReviewDelayMs ?? 2000, () => {
      if (this.engine.state.templates.get(template.id) !== template || template.status !== 'PENDING') return;
      if (decision.status === 'APPROVED') {
        template.quality_score = { score: 'UNKNOWN' };
        this.#transition(template, 'APPROVED', 'NONE');
      } else {
        template.rejected_reason = decision.reason;
        this.#transition(template, 'REJECTED', decision.reason, decision.details);
      }
    });
  }

  #transition(template: StoredTemplate, status: TemplateStatus, reason: string, details?: string): void {
    template.status = status;
    this.engine.state.touch();
    this.engine.emit(
      template.wabaId,
      'message_template_status_update',
      {
        event: status,
        message_template_id: Number(template.id),
        message_template_name: template.name,
        message_template_language: template.language,
        message_template_category: template.category,
        reason,
        ...(details ? { other_info: { title: 'Template review', description: details } } : {}),
        ...(status === 'DISABLED' ? { disable_info: { disable_date: Number(this.engine.clock.unixSeconds()) } } : {}),
      },
      true,
    );
  }
}

function toRecord(template: StoredTemplate): TemplateRecord {
  const { wabaId: _w, createdAt: _c, pauseCount: _p, approvedEdits: _e, ...record } = template;
  return record;
}

const DAY_MS = 24 * 3600_000;
const EDIT_WINDOW_MS = 30 * DAY_MS;
const EDITS_PER_WINDOW = 10;
const EDITABLE: ReadonlySet<TemplateStatus> = new Set(['APPROVED', 'REJECTED', 'PAUSED']);

/** Meta's template editing rules (templates overview, "Editing templates"); Meta's exact error code for these is not published, so 100. */
function editRefusal(template: StoredTemplate, patch: Partial<CreateTemplateRequest>, now: number): MetaFailure | undefined {
  if (!EDITABLE.has(template.status)) {
    return metaFailure(100, `Template ${template.id} is ${template.status}; only APPROVED, REJECTED or PAUSED templates can be edited.`);
  }
  if (template.status !== 'APPROVED') return undefined;
  if (patch.category !== undefined && String(patch.category).toUpperCase() !== template.category) {
    return metaFailure(100, `category: the category of an APPROVED template cannot be edited (it is ${template.category}).`);
  }
  if (recentEdits(template, now, DAY_MS).length >= 1) {
    return metaFailure(100, 'An APPROVED template can be edited once in 24 hours; try again later.');
  }
  if (recentEdits(template, now, EDIT_WINDOW_MS).length >= EDITS_PER_WINDOW) {
    return metaFailure(100, `An APPROVED template can be edited ${EDITS_PER_WINDOW} times in 30 days; this one has reached the limit.`);
  }
  return undefined;
}

function recentEdits(template: StoredTemplate, now: number, windowMs: number): number[] {
  return (template.approvedEdits ?? []).filter((at) => now - at < windowMs);
}

function encodeCursor(index: number): string {
  return Buffer.from(String(index)).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const n = Number(Buffer.from(cursor, 'base64url').toString());
  return Number.isInteger(n) && n >= 0 ? n : -1;
}
