export { COMMON_VARIANTS, ERROR_CATALOGUE, POLICY_ERROR_CODES, isErrorCode, type CatalogueEntry, type ErrorCode, type PolicyErrorCode } from './catalogue.js';
export { AppError, appError, isAppError, type AppErrorValue } from './app-error.js';
