import type { Readable } from 'node:stream';
import { spreadsheetBody, type SheetColumn } from '../forms/index.js';
import { KNOWN_FIELDS } from './lead-fields.js';
import type { LeadFilter, Leads, LeadView } from './leads.js';

export const LEAD_EXPORT_FORMATS = ['xlsx', 'csv'] as const;
export type LeadExportFormat = (typeof LEAD_EXPORT_FORMATS)[number];

/** The columns every sheet starts with (the CSV adds `source_type` and `source_id` after `updated_at`). */
const FIXED: readonly SheetColumn[] = [
  { header: 'lead_id', type: 'text' },
  { header: 'created_at', type: 'date_time' },
  { header: 'updated_at', type: 'date_time' },
  { header: 'contact_wa_id', type: 'text' },
  { header: 'contact_name', type: 'text' },
];
const RESERVED = new Set(['lead_id', 'created_at', 'updated_at', 'contact_wa_id', 'contact_name', 'source_type', 'source_id']);

/** An export ready to stream. */
export interface LeadExport {
  contentType: string;
  /** `leads-2026-12-06.xlsx` */
  filename: string;
  body: Readable;
}

/**
 * The leads a filter selects as XLSX (one sheet per source, named `form orcamento`, `agent
 * usr_…`, `chat 1234…`; a header row; dates as date cells) or CSV (one file, `source_type` and
 * `source_id` columns, the union of the fields). Each field is two columns: its value (typed:
 * numbers, booleans, `YYYY-MM-DD` days as such, interest keywords joined by commas) and
 * `<field>_confidence` (`certain` or `possible`), so a guess never reads as a checked value.
 * Holds the leads created before `now`; the sources and columns are read first (a database
 * error fails before any byte is sent), the rows page by page while the body streams.
 */
export async function exportLeads(leads: Pick<Leads, 'exportSheets' | 'exportRows'>, workspaceId: string, filter: LeadFilter, options: { format: LeadExportFormat; delimiter?: ',' | ';' | undefined; now: Date; onError: (error: unknown) => void }): Promise<LeadExport> {
  const bounded: LeadFilter = { ...filter, createdBefore: new Date(options.now.getTime() + 1).toISOString() };
  const sheets = await leads.exportSheets(workspaceId, bounded);
  const union = orderFields(sheets.flatMap((sheet) => sheet.fields));
  const [leadId, createdAt, updatedAt, ...contact] = FIXED as [SheetColumn, SheetColumn, SheetColumn, ...SheetColumn[]];
  const csvColumns: SheetColumn[] = [leadId, createdAt, updatedAt, { header: 'source_type', type: 'text' }, { header: 'source_id', type: 'text' }, ...contact, ...fieldColumns(union)];
  const { contentType, body } = spreadsheetBody(
    options.format,
    {
      sheets: (sheets.length > 0 ? sheets : [{ source: undefined, fields: [] }]).map((sheet) => {
        const fields = orderFields(sheet.fields);
        return {
          name: sheet.source ? `${sheet.source.type} ${sheet.source.id}` : 'leads',
          columns: [...FIXED, ...fieldColumns(fields)],
          pages: () => rowsOf(sheet.source ? leads.exportRows(workspaceId, bounded, sheet.source) : empty(), fields, false),
        };
      }),
      csv: { columns: csvColumns, pages: () => rowsOf(leads.exportRows(workspaceId, bounded), union, true) },
    },
    { delimiter: options.delimiter, created: options.now, onError: options.onError },
  );
  return { contentType, filename: `leads-${options.now.toISOString().slice(0, 10)}.${options.format}`, body };
}

/** Known fields first (name, email, phone, cpf, cnpj, cep, interest), then the others in first-seen order. */
function orderFields(names: readonly string[]): string[] {
  const unique = [...new Set(names)];
  return [...KNOWN_FIELDS.filter((name) => unique.includes(name)), ...unique.filter((name) => !(KNOWN_FIELDS as readonly string[]).includes(name))];
}

function fieldColumns(fields: readonly string[]): SheetColumn[] {
  return fields.flatMap((name): SheetColumn[] => {
    const header = RESERVED.has(name) ? `fields.${name}` : name;
    return [
      { header, type: 'auto' },
      { header: `${header}_confidence`, type: 'text' },
    ];
  });
}

async function* rowsOf(pages: AsyncIterable<LeadView[]>, fields: readonly string[], withSource: boolean): AsyncGenerator<unknown[][]> {
  for await (const page of pages) {
    yield page.map((lead) => [
      lead.id,
      lead.created_at,
      lead.updated_at,
      ...(withSource ? [lead.source.type, lead.source.id] : []),
      lead.contact.wa_id,
      lead.contact.name,
      ...fields.flatMap((name) => {
        const field = Object.hasOwn(lead.fields, name) ? lead.fields[name] : undefined;
        if (!field) return [null, null];
        return [Array.isArray(field.value) && field.value.every((item) => typeof item === 'string') ? field.value.join(', ') : field.value, field.confidence];
      }),
    ]);
  }
}

async function* empty(): AsyncGenerator<LeadView[]> {}

