import { EXCHANGE_IDENTITY_MISMATCH_EXIT_CODE } from './exchange-identity.constants';

/**
 * Why a database and a log were found to belong to different exchanges (see `decideIdentity`):
 * - LOG_HAS_NO_IDENTITY: the database was bound to a log, and this log names no exchange.
 * - IDENTITIES_DIFFER: the database was bound to a log, and this log names another exchange.
 * - DATABASE_NOT_BOUND_TO_LOG: the log names an exchange, and the database has no identity or
 *   another one it never bound to a log.
 * - LOG_HAS_RECORDS: neither names an exchange, the log holds records and the database has no
 *   orders or settlement behind them.
 * - DATABASE_HAS_RECORDS: neither names an exchange, the database holds orders or settlement and
 *   the log has never held a record.
 * - LOG_BEHIND_DATABASE: settlement has applied results past the end of this log.
 */
export type RefusalReason =
  | 'LOG_HAS_NO_IDENTITY'
  | 'IDENTITIES_DIFFER'
  | 'DATABASE_NOT_BOUND_TO_LOG'
  | 'LOG_HAS_RECORDS'
  | 'DATABASE_HAS_RECORDS'
  | 'LOG_BEHIND_DATABASE';

/** What a refusal says to an operator, whatever the reason. */
export const IDENTITY_MISMATCH_FIX =
  'Fix: locally, `npm run up -- --reset` wipes the database and the broker together and starts a ' +
  'clean exchange; in production, restore a database and a log of the same exchange, never mix ' +
  'them.';

/** The fields of a refusal, for the fatal log line. */
export interface IdentityMismatchDetails {
  readonly reason: RefusalReason;
  /** The database's exchange id, null when it has none. */
  readonly databaseExchangeId: string | null;
  /** The exchange id of the log's first identity record, null when it has none. */
  readonly logExchangeId: string | null;
  /** The metadata topic read, with its prefix. */
  readonly metaTopic: string;
}

/**
 * The database and the Kafka log belong to different exchanges: the process must not start.
 * Carries the exit code the boot uses, so that `runService` stops with it. Compare `code`.
 */
export class ExchangeIdentityMismatch extends Error {
  override readonly name = 'ExchangeIdentityMismatch';
  readonly code = 'EXCHANGE_IDENTITY_MISMATCH';
  readonly exitCode = EXCHANGE_IDENTITY_MISMATCH_EXIT_CODE;

  constructor(
    readonly details: IdentityMismatchDetails,
    message: string,
  ) {
    super(message);
  }
}

export function isExchangeIdentityMismatch(error: unknown): error is ExchangeIdentityMismatch {
  return (error as { code?: unknown } | null)?.code === 'EXCHANGE_IDENTITY_MISMATCH';
}

/**
 * Codes of the other errors of the check, all about infrastructure that is missing or not ready
 * (the boot retries them for a while); compare codes, not classes.
 * - SCHEMA_MISSING: the database has no `exchange_identity` table (migrations not run).
 * - META_TOPIC_MISSING: the metadata topic does not exist (topics not created).
 * - META_TOPIC_PARTITIONS: the metadata topic has more than one partition.
 * - READ_TIMEOUT: the first record of the metadata topic was not read in time.
 * - BINDING_LOST: the database row changed while this check bound it (edited by hand).
 */
export type ExchangeIdentityErrorCode =
  | 'SCHEMA_MISSING'
  | 'META_TOPIC_MISSING'
  | 'META_TOPIC_PARTITIONS'
  | 'READ_TIMEOUT'
  | 'BINDING_LOST';

export class ExchangeIdentityError extends Error {
  override readonly name = 'ExchangeIdentityError';

  constructor(
    readonly code: ExchangeIdentityErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
