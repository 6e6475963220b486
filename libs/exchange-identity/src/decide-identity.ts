import type { RefusalReason } from './exchange-identity-error';

/** The database's side of the identity: the one row of `exchange_identity`. */
export interface DatabaseIdentity {
  readonly exchangeId: string;
  /** When the identity was found as the log's first identity record; null until then. */
  readonly boundAt: Date | null;
  /** The metadata topic it was bound to, with its prefix; null until bound. */
  readonly logTopic: string | null;
}

/** A settlement checkpoint past the end of its results partition. */
export interface CheckpointAhead {
  readonly topic: string;
  readonly partition: number;
  /** `settlement_checkpoints.last_offset`. */
  readonly lastOffset: bigint;
  /** The partition's end offset as a read-committed consumer sees it. */
  readonly endOffset: bigint;
}

/** Everything the decision looks at, read from both sides before anything is written. */
export interface IdentityObservation {
  /** The database's identity row; null when it has none. */
  readonly database: DatabaseIdentity | null;
  /** The exchange the log's first identity record names; null when the metadata topic is empty. */
  readonly log: string | null;
  /** The exchange's other topics that have ever held a record (end offset above 0). */
  readonly logHistory: readonly string[];
  /** What the database holds that only a log could have caused: `orders`, `settlement`. */
  readonly databaseHistory: readonly string[];
  /** Settlement checkpoints beyond the end of the results topic. */
  readonly checkpointsAhead: readonly CheckpointAhead[];
}

export type IdentityDecision =
  /** Bound to this log: start. */
  | { readonly action: 'accept' }
  /** The log's first record is the database's unbound identity: a first boot crashed after
   * writing it to the log; mark the database bound and start. */
  | { readonly action: 'complete' }
  /** The log names no exchange: write the database's identity (created if missing) into it and
   * bind whichever identity is then first. `adopt` when both sides already hold records of an
   * exchange from before identities existed. */
  | { readonly action: 'bind'; readonly adopt: boolean }
  | { readonly action: 'refuse'; readonly reason: RefusalReason };

/**
 * Decides whether a database and a Kafka log belong to one exchange. Pure: the check reads the
 * observation, calls this, and acts on the answer.
 *
 * | database              | log's first identity | evidence                        | decision                  |
 * | --------------------- | -------------------- | ------------------------------- | ------------------------- |
 * | bound to D            | none                 |                                 | refuse LOG_HAS_NO_IDENTITY |
 * | bound to D            | L, L != D            |                                 | refuse IDENTITIES_DIFFER  |
 * | bound to D            | D                    | a checkpoint past the log's end | refuse LOG_BEHIND_DATABASE |
 * | bound to D            | D                    |                                 | accept                    |
 * | unbound U             | U                    | (as above)                      | complete the binding      |
 * | none, or unbound U    | L, L != U            |                                 | refuse DATABASE_NOT_BOUND_TO_LOG |
 * | none, or unbound      | none                 | a checkpoint past the log's end | refuse LOG_BEHIND_DATABASE |
 * | none, or unbound      | none                 | log has records, database none  | refuse LOG_HAS_RECORDS    |
 * | none, or unbound      | none                 | database has records, log none  | refuse DATABASE_HAS_RECORDS |
 * | none, or unbound      | none                 | neither has records             | bind (a fresh exchange)   |
 * | none, or unbound      | none                 | both have records               | bind, adopting            |
 *
 * Without identities on either side, records are the only witness of a previous life. A log
 * that holds commands or results beside a database without a single order or settled result
 * (the database was dropped and recreated while the broker kept its data) is refused: settling
 * those results would insert trades the database never had the orders for. A database with
 * orders or settlement beside a log that has never held a record is refused for the mirror
 * reason. Both holding records is an exchange from before identities existed, being upgraded:
 * the pair is adopted as long as settlement is not ahead of the log, since nothing better can be
 * known about it. An unbound database row says nothing by itself: it is what a first boot
 * leaves when it crashes before writing the log, so it binds like no row at all, unless the log
 * names another exchange.
 */
export function decideIdentity(observation: IdentityObservation): IdentityDecision {
  const { database, log } = observation;
  const behind = observation.checkpointsAhead.length > 0;
  if (database !== null && database.boundAt !== null) {
    if (log === null) return refuse('LOG_HAS_NO_IDENTITY');
    if (log !== database.exchangeId) return refuse('IDENTITIES_DIFFER');
    return behind ? refuse('LOG_BEHIND_DATABASE') : { action: 'accept' };
  }
  if (log !== null) {
    if (database === null || log !== database.exchangeId)
      return refuse('DATABASE_NOT_BOUND_TO_LOG');
    return behind ? refuse('LOG_BEHIND_DATABASE') : { action: 'complete' };
  }
  if (behind) return refuse('LOG_BEHIND_DATABASE');
  const logUsed = observation.logHistory.length > 0;
  const databaseUsed = observation.databaseHistory.length > 0;
  if (logUsed && !databaseUsed) return refuse('LOG_HAS_RECORDS');
  if (databaseUsed && !logUsed) return refuse('DATABASE_HAS_RECORDS');
  return { action: 'bind', adopt: logUsed && databaseUsed };
}

function refuse(reason: RefusalReason): IdentityDecision {
  return { action: 'refuse', reason };
}
