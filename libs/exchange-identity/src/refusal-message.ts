import type { IdentityObservation } from './decide-identity';
import { IDENTITY_MISMATCH_FIX, type RefusalReason } from './exchange-identity-error';

/**
 * The one-line message of a refusal: why, both identities (and where each was found), and the
 * fix. Read by an operator from a fatal log line or from `npm run up`.
 */
export function refusalMessage(
  reason: RefusalReason,
  observation: IdentityObservation,
  metaTopic: string,
): string {
  const { database } = observation;
  const databaseSide =
    database === null
      ? 'database: no exchange identity'
      : database.boundAt === null
        ? `database: exchange ${database.exchangeId} (never bound to a log)`
        : `database: exchange ${database.exchangeId} (bound to log topic ${database.logTopic} at ${database.boundAt.toISOString()})`;
  const logSide =
    observation.log === null
      ? `log: no exchange identity in ${metaTopic}`
      : `log: exchange ${observation.log} (first record of ${metaTopic})`;
  return (
    `refusing to start: the database and the Kafka log belong to different exchanges; ` +
    `${REASONS[reason](observation)}. ${databaseSide}; ${logSide}. ${IDENTITY_MISMATCH_FIX}`
  );
}

const REASONS: Record<RefusalReason, (o: IdentityObservation) => string> = {
  LOG_HAS_NO_IDENTITY: () =>
    'the database was bound to a log, but this log names no exchange (the log was recreated, ' +
    'or the topic prefix changed, beside an old database)',
  IDENTITIES_DIFFER: () => 'the database and the log name different exchanges',
  DATABASE_NOT_BOUND_TO_LOG: () =>
    'the log belongs to an exchange this database was never bound to (the database was ' +
    'recreated or restored beside an old log, or another database bound this log first)',
  LOG_HAS_RECORDS: (o) =>
    `neither side names an exchange, but the log already holds records (${o.logHistory.join(', ')}) ` +
    'and the database has no orders or settlement behind them (the database was recreated ' +
    'beside an old log)',
  DATABASE_HAS_RECORDS: (o) =>
    `neither side names an exchange, but the database holds ${o.databaseHistory.join(' and ')} ` +
    'and the log has never held a record (the log was recreated beside an old database)',
  LOG_BEHIND_DATABASE: (o) =>
    'settlement has applied results past the end of this log (' +
    o.checkpointsAhead
      .map(
        (c) =>
          `${c.topic} partition ${c.partition}: settled to offset ${c.lastOffset}, log ends at ${c.endOffset}`,
      )
      .join('; ') +
    '): the log is older than the database (restored, recreated or truncated)',
};
