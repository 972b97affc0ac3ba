import { ERROR_CATALOGUE, type ErrorCode } from './catalogue.js';

/**
 * An error as modules give it: a catalogue code, a message naming what went wrong, an optional
 * fix and the facts behind it. No HTTP status: the HTTP edge (src/http/errors.ts) maps the code
 * to one. Return it (`{ ok: false, error: appError(...) }`) or throw it as an {@link AppError}.
 */
export interface AppErrorValue<C extends ErrorCode = ErrorCode> {
  code: C;
  message: string;
  /** How to fix it; the HTTP edge answers it as `details.fix`. */
  fix?: string;
  details?: Record<string, unknown>;
  /** A variant of the code the catalogue answers with another status (`variants`); never sent. */
  variant?: string;
}

/** An error value of the catalogue; `message` defaults to the code's title. */
export function appError<C extends ErrorCode>(code: C, message?: string, details?: Record<string, unknown>, fix?: string): AppErrorValue<C> {
  return { code, message: message ?? ERROR_CATALOGUE[code].title, ...(fix !== undefined ? { fix } : {}), ...(details ? { details } : {}) };
}

/** The thrown form of {@link AppErrorValue}: the HTTP edge answers it like a returned one. */
export class AppError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly fix?: string;
  readonly details?: Record<string, unknown>;
  constructor(code: C, message?: string, details?: Record<string, unknown>, fix?: string) {
    super(message ?? ERROR_CATALOGUE[code].title);
    this.name = 'AppError';
    this.code = code;
    if (fix !== undefined) this.fix = fix;
    if (details) this.details = details;
  }

  /** The value form, for `{ ok: false, error }` results. */
  toValue(): AppErrorValue<C> {
    return appError(this.code, this.message, this.details, this.fix);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
