/**
 * Codes of the errors settlement throws; compare codes, not classes.
 * - UNKNOWN_ORDER: a result names an order the database does not have. TX1 writes the row
 *   before the command can reach the engine, so this is a bug or a wrong database: the batch is
 *   rolled back and the partition stops advancing (retried with backoff) until an operator acts.
 * - LOCK_MISMATCH: an order's lock before the batch minus what the batch spent and released is
 *   not the lock the engine says remains; settling anyway would corrupt money.
 * - FEES_USER_MISSING: the SYSTEM user `fees` does not exist.
 * - FENCING_UPGRADE: internal, retried at once: the shard's fencing row must be locked exclusively.
 * - ROWS_MISMATCH: a set-based insert wrote another number of trades or ledger entries than the
 *   plan holds (a bug in how they were encoded); the batch is rolled back.
 */
export type SettlementErrorCode =
  'UNKNOWN_ORDER' | 'LOCK_MISMATCH' | 'FEES_USER_MISSING' | 'FENCING_UPGRADE' | 'ROWS_MISMATCH';

export class SettlementError extends Error {
  override readonly name = 'SettlementError';

  constructor(
    readonly code: SettlementErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
