export { Leads, MAX_LEADS_PAGE, type LeadFilter, type LeadOutcome, type LeadView } from './leads.js';
export { LeadSources, type LeadSourceView } from './lead-sources.js';
export { exportLeads, LEAD_EXPORT_FORMATS, type LeadExport, type LeadExportFormat } from './lead-export.js';
export { extractLeadFields, EXTRACT_MAX_CHARS, type Confidence, type Extracted, type ExtractedField, type ExtractOptions } from './extract.js';
export { FIELD_NAME_PATTERN, FIELD_ORIGINS, fieldsFromForm, fieldsGiven, KNOWN_FIELDS, LEAD_LIMITS, LEAD_SOURCE_TYPES, mergeFields, type FieldOrigin, type LeadField, type LeadSource, type LeadSourceType } from './lead-fields.js';
export type { LeadContacts, LeadEvents } from './ports.js';
