import type { IHeaders, TopicMessages } from 'kafkajs';
import { OUTBOX_ID_HEADER } from './outbox.constants';
import { OutboxError } from './outbox-error';

/** One unpublished outbox row as the relay reads it. */
export interface OutboxRow {
  /** bigint as a decimal string. */
  readonly id: string;
  readonly topic: string;
  readonly key: string | null;
  readonly payload: Buffer;
  readonly headers: Record<string, string>;
  /**
   * True when the writing transaction's id is below the xmin of the snapshot the row was read
   * with: every transaction that could still add a row has a later id than this one's writer.
   */
  readonly settled: boolean;
}

/**
 * The next rows in id order, each flagged `settled` (see `settledPrefix`). The guard and the
 * scan share the statement's snapshot: `pg_current_snapshot()` is the snapshot the statement
 * reads with. The partial index on unpublished ids serves the ORDER BY ... LIMIT. (The sort key
 * is spelled `outbox.id`: a bare `id` would name the text output column and sort 109 before 11.)
 */
export const SELECT_BATCH_SQL = `
  SELECT id::text AS id, topic, key, payload, headers,
         txid < pg_snapshot_xmin(pg_current_snapshot()) AS settled
    FROM outbox
   WHERE published_at IS NULL
   ORDER BY outbox.id
   LIMIT $1`;

/** Published rows are deleted, not marked: Kafka holds them now, and the table stays small. */
export const DELETE_BATCH_SQL = `DELETE FROM outbox WHERE id = ANY($1::bigint[])`;

export const STATS_SQL = `
  SELECT count(*)::int AS pending,
         COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - min(created_at)), 0)::float8 AS oldest_age_s
    FROM outbox
   WHERE published_at IS NULL`;

/**
 * The rows that may be published now: the longest prefix, in id order, of settled rows. The
 * first unsettled row (committed, but written by a transaction newer than some transaction that
 * is still running) stops the batch, because that running transaction may yet commit a row that
 * must precede it. See the ordering argument in outbox-relay.ts.
 */
export function settledPrefix<T extends { readonly settled: boolean }>(rows: readonly T[]): T[] {
  const end = rows.findIndex((row) => !row.settled);
  return end === -1 ? rows.slice() : rows.slice(0, end);
}

/**
 * The Kafka records of a batch, grouped by topic in first-seen order. Within a topic the rows
 * keep their id order, so the records of one key (one partition) are appended in that order.
 * Every record carries its row id in `x-outbox-id`.
 */
export function toTopicMessages(rows: readonly OutboxRow[]): TopicMessages[] {
  const byTopic = new Map<string, TopicMessages>();
  let previousId = -1n;
  for (const row of rows) {
    const id = BigInt(row.id);
    if (id <= previousId) {
      throw new OutboxError('RELAY_STATE', `batch not in id order: ${row.id} after ${previousId}`);
    }
    previousId = id;
    let entry = byTopic.get(row.topic);
    if (entry === undefined) {
      entry = { topic: row.topic, messages: [] };
      byTopic.set(row.topic, entry);
    }
    const headers: IHeaders = { ...row.headers, [OUTBOX_ID_HEADER]: row.id };
    entry.messages.push({ key: row.key, value: row.payload, headers });
  }
  return [...byTopic.values()];
}

/** The exponential backoff delay after `failures` consecutive failures (1, 2, ...). */
export function backoffMs(failures: number, initialMs: number, maxMs: number): number {
  if (failures < 1) return 0;
  return Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 30));
}
