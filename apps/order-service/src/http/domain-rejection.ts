import { statusOf, type ApiErrorCode, type FieldErrorCode } from './error-codes';

// Business rejections are values: handlers return a `Rejection` and the controller turns it
// into HTTP with `orReject`, which throws a `DomainRejection` for the exception filter. Guards
// and pipes throw `DomainRejection` directly.

/** One refused field of a request, listed in `details.fields`. */
export interface FieldError {
  /** Dotted path of the field in the body ("amount"), or the route parameter's name. */
  readonly field: string;
  readonly code: FieldErrorCode;
  readonly message: string;
}

/** A stable code, a sentence for humans, and optional structured details. */
export interface Rejection {
  readonly rejected: true;
  readonly code: ApiErrorCode | string;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

export function reject(
  code: ApiErrorCode | string,
  message: string,
  details?: Record<string, unknown>,
): Rejection {
  return { rejected: true, code, message, details };
}

/** A 400 VALIDATION_FAILED naming fields, for checks a DTO cannot make (an asset's scale). */
export function rejectFields(fields: readonly FieldError[]): Rejection {
  return reject('VALIDATION_FAILED', 'the request is not valid', { fields });
}

export function isRejection(value: unknown): value is Rejection {
  return typeof value === 'object' && value !== null && (value as Rejection).rejected === true;
}

/** An error response to send: status from the catalogue (422 for codes it does not list). */
export class DomainRejection extends Error {
  override readonly name = 'DomainRejection';
  readonly status: number;
  readonly code: string;
  readonly details?: Record<string, unknown>;

  constructor(rejection: Omit<Rejection, 'rejected'>, status = statusOf(rejection.code)) {
    super(rejection.message);
    this.code = rejection.code;
    this.status = status;
    this.details = rejection.details;
  }
}

/** The value, or throws its rejection as a `DomainRejection` (for controllers). */
export function orReject<T>(result: T | Rejection): T {
  if (isRejection(result)) throw new DomainRejection(result);
  return result;
}
