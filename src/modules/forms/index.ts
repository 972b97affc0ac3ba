export { FormSubmissions, MAX_SUBMISSIONS_PAGE, type ExportRow, type ExportSheet, type FormSubmissionView, type SubmissionFilter, type SubmitFormInput, type SubmitFormOutcome } from './form-submissions.js';
export { SurveyResponses, MAX_SURVEY_PAGE, type RecordSurveyInput, type RecordSurveyOutcome, type SurveyFilter, type SurveyResponseView } from './survey-responses.js';
export { statsOf, summarise, type SurveyStats, type SurveySummary } from './survey-summary.js';
export { FORM_LIMITS, SURVEY_KINDS, SURVEY_SCORES, type SurveyKind } from './submission-input.js';
export { EXPORT_CONTENT_TYPES, EXPORT_FORMATS, exportSubmissions, type ExportFormat, type ExportOptions, type SubmissionExport } from './submission-export.js';
export type { ContactDirectory, FormEvents, PeriodFilter } from './ports.js';
export { csvTable, spreadsheetBody, SPREADSHEET_CONTENT_TYPES, writeWorkbook, type ColumnType, type Sheet, type SheetColumn } from './spreadsheet.js';
