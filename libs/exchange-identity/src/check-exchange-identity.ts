import type { Kafka } from 'kafkajs';
import type { Queryable } from '@app/database';
import { TOPICS, topicName } from '@app/messaging';
import {
  currentDatabaseName,
  ensureDatabaseIdentity,
  markDatabaseBound,
  readDatabaseHistory,
  readDatabaseIdentity,
  readSettlementCheckpoints,
} from './database-identity';
import {
  decideIdentity,
  type CheckpointAhead,
  type DatabaseIdentity,
  type IdentityObservation,
} from './decide-identity';
import { IDENTITY_OBSERVE_ATTEMPTS_MAX } from './exchange-identity.constants';
import { ExchangeIdentityMismatch, type RefusalReason } from './exchange-identity-error';
import { appendLogIdentity, readEndOffsets, readLogIdentity } from './log-identity';
import { refusalMessage } from './refusal-message';

export interface ExchangeIdentityCheckOptions {
  /** The exchange database (a DataSource, or anything that runs SQL and returns rows). */
  readonly db: Queryable;
  readonly kafka: Kafka;
  /** KAFKA_TOPIC_PREFIX of the services: the log is the topics under it. */
  readonly topicPrefix: string;
}

export interface ExchangeIdentityCheck {
  /** The identity both sides now hold. */
  readonly exchangeId: string;
  /**
   * `matched`: both sides already held it. `created`: a fresh exchange, bound now. `adopted`:
   * an exchange from before identities, bound now. `completed`: a first boot that crashed after
   * writing the log, finished now.
   */
  readonly outcome: 'matched' | 'created' | 'adopted' | 'completed';
  /** The metadata topic, with its prefix. */
  readonly metaTopic: string;
}

/**
 * Makes sure the database and the Kafka log belong to one exchange (design invariant 9), binding
 * them on the first boot of a fresh exchange, and throws `ExchangeIdentityMismatch` when they do
 * not (see `decideIdentity` for the table). Safe to run from any number of processes at once:
 * the database row is created with INSERT ... ON CONFLICT DO NOTHING and read back, and the log's
 * identity is its first record, so concurrent first boots all write one and bind whichever came
 * first; a boot whose identity came second refuses. A crash at any step leaves a state the next
 * run completes: an unbound row and an empty log bind again; an unbound row that is already the
 * log's first record is marked bound.
 */
export async function checkExchangeIdentity(
  options: ExchangeIdentityCheckOptions,
): Promise<ExchangeIdentityCheck> {
  const { db, kafka, topicPrefix } = options;
  const metaTopic = topicName(topicPrefix, TOPICS.meta.logical);
  const observation = await observe(options, metaTopic);
  const decision = decideIdentity(observation);
  switch (decision.action) {
    case 'refuse':
      throw mismatch(decision.reason, observation, metaTopic);
    case 'accept':
      return { exchangeId: observation.log as string, outcome: 'matched', metaTopic };
    case 'complete': {
      const bound = await markDatabaseBound(db, observation.log as string, metaTopic);
      return { exchangeId: bound.exchangeId, outcome: 'completed', metaTopic };
    }
    case 'bind': {
      const own = await ensureDatabaseIdentity(db);
      await appendLogIdentity(kafka, metaTopic, {
        exchangeId: own.exchangeId,
        database: await currentDatabaseName(db),
        writtenAt: new Date().toISOString(),
      });
      // The first record wins: another database's first boot may have written its own before.
      const first = await readLogIdentity(kafka, metaTopic, topicPrefix);
      if (first !== own.exchangeId) {
        throw mismatch(
          'DATABASE_NOT_BOUND_TO_LOG',
          { ...observation, database: own, log: first },
          metaTopic,
        );
      }
      await markDatabaseBound(db, own.exchangeId, metaTopic);
      return {
        exchangeId: own.exchangeId,
        outcome: decision.adopt ? 'adopted' : 'created',
        metaTopic,
      };
    }
  }
}

/**
 * The database's identity and the log's as of one moment. Another process's first boot writes
 * the row, then the log, then marks the row bound; read one after the other, the two sides could
 * show a moment that never was (no row yet, and already that boot's log record: a false
 * DATABASE_NOT_BOUND_TO_LOG). The database is read before and after the log: when both reads
 * agree, nothing of a first boot happened in between and the log read fits them.
 */
async function readBothIdentities(
  { db, kafka, topicPrefix }: ExchangeIdentityCheckOptions,
  metaTopic: string,
): Promise<Pick<IdentityObservation, 'database' | 'log'>> {
  let database = await readDatabaseIdentity(db);
  for (let attempt = 1; ; attempt += 1) {
    const log = await readLogIdentity(kafka, metaTopic, topicPrefix);
    const after = await readDatabaseIdentity(db);
    if (sameIdentity(database, after) || attempt === IDENTITY_OBSERVE_ATTEMPTS_MAX)
      return { database: after, log };
    database = after;
  }
}

function sameIdentity(a: DatabaseIdentity | null, b: DatabaseIdentity | null): boolean {
  if (a === null || b === null) return a === b;
  return a.exchangeId === b.exchangeId && a.boundAt?.getTime() === b.boundAt?.getTime();
}

/** Reads both sides; writes nothing. */
async function observe(
  options: ExchangeIdentityCheckOptions,
  metaTopic: string,
): Promise<IdentityObservation> {
  const { db, kafka, topicPrefix } = options;
  const { database, log } = await readBothIdentities(options, metaTopic);
  const dataTopics = Object.values(TOPICS)
    .filter((t) => t.logical !== TOPICS.meta.logical)
    .map((t) => topicName(topicPrefix, t.logical));
  const ends = await readEndOffsets(kafka, dataTopics);
  const logHistory = dataTopics.filter((topic) =>
    [...(ends.get(topic)?.values() ?? [])].some((end) => end > 0n),
  );
  const resultsTopic = topicName(topicPrefix, TOPICS.engineResults.logical);
  const checkpointsAhead: CheckpointAhead[] = [];
  for (const { partition, lastOffset } of await readSettlementCheckpoints(db, resultsTopic)) {
    // Settlement applies committed records only, and its checkpoint counts the transaction
    // markers it read, so for the log it settled, last_offset + 1 never passes the end.
    const endOffset = ends.get(resultsTopic)?.get(partition) ?? 0n;
    if (lastOffset + 1n > endOffset)
      checkpointsAhead.push({ topic: resultsTopic, partition, lastOffset, endOffset });
  }
  return {
    database,
    log,
    logHistory,
    databaseHistory: await readDatabaseHistory(db),
    checkpointsAhead,
  };
}

function mismatch(
  reason: RefusalReason,
  observation: IdentityObservation,
  metaTopic: string,
): ExchangeIdentityMismatch {
  return new ExchangeIdentityMismatch(
    {
      reason,
      databaseExchangeId: observation.database?.exchangeId ?? null,
      logExchangeId: observation.log,
      metaTopic,
    },
    refusalMessage(reason, observation, metaTopic),
  );
}
