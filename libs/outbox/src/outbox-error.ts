/** Codes of the errors this library throws; compare codes, not classes. */
export type OutboxErrorCode = 'NOT_IN_TRANSACTION' | 'INVALID_MESSAGE' | 'RELAY_STATE';

/** A misuse of the outbox or a broken invariant; never a business rejection. */
export class OutboxError extends Error {
  override readonly name = 'OutboxError';

  constructor(
    readonly code: OutboxErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
