import type { IHeaders, TopicMessages } from 'kafkajs';
import { decodeFrame, type DecodedMessage } from './message-frame';
import { OUTBOX_ID_HEADER } from './outbox.constants';
import { OutboxError } from './outbox-error';

/** One unpublished outbox row as the relay reads it. */
export interface OutboxRow {
  /** bigint as a decimal string. */
  readonly id: string;
  readonly topic: string;
  /** The message's key; null for a multi-message row. */
  readonly key: string | null;
  /** The message's value, or the frame of a multi-message row (`encodeFrame`). */
  readonly payload: Buffer;
  /** The message's headers; `{}` for a multi-message row. */
  readonly headers: Record<string, string>;
  /** Null for a single-message row; the number of framed messages otherwise. */
  readonly messages: number | null;
  /**
   * True when the writing transaction's id is below the xmin of the snapshot the row was read
   * with: every transaction that could still add a row has a later id than this one's writer.
   */
  readonly settled: boolean;
}

/**
 * The next rows in id order (at most $1), each flagged `settled` (see `settledPrefix`) and
 * `within` the batch's bounds: the first row always is, later ones while the running count of
 * messages stays at most $2 and of stored bytes at most $3. `within` is thus a prefix; rows past
 * it come without their payload and only tell the relay that more is waiting. `octet_length` of
 * an uncompressed out-of-line payload is read from its TOAST pointer, without fetching it. The
 * guard and the scan share the statement's snapshot: `pg_current_snapshot()` is the snapshot the
 * statement reads with. The partial index on unpublished ids serves the ORDER BY ... LIMIT. (The
 * sort keys are qualified: a bare `id` would name the text output column and sort 109 before
 * 11.)
 */
export const SELECT_BATCH_SQL = `
  SELECT b.id::text AS id, b.topic, b.key, CASE WHEN b.within THEN b.payload END AS payload,
         b.headers, b.messages, b.settled, b.within
    FROM (SELECT c.*,
                 row_number() OVER w = 1
                 OR (sum(COALESCE(c.messages, 1)) OVER w <= $2
                     AND sum(octet_length(c.payload) + COALESCE(octet_length(c.key), 0)
                             + pg_column_size(c.headers)) OVER w <= $3) AS within
            FROM (SELECT outbox.id, topic, key, payload, headers, messages,
                         txid < pg_snapshot_xmin(pg_current_snapshot()) AS settled
                    FROM outbox
                   WHERE published_at IS NULL
                   ORDER BY outbox.id
                   LIMIT $1) c
          WINDOW w AS (ORDER BY c.id ROWS UNBOUNDED PRECEDING)) b
   ORDER BY b.id`;

/** Published rows are deleted, not marked: Kafka holds them now, and the table stays small. */
export const DELETE_BATCH_SQL = `DELETE FROM outbox WHERE id = ANY($1::bigint[])`;

export const STATS_SQL = `
  SELECT count(*)::int AS pending,
         COALESCE(sum(COALESCE(messages, 1)), 0)::int AS pending_messages,
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
 * The messages of a row, in order, each with its `x-outbox-id` (see `OUTBOX_ID_HEADER`): the row
 * id for a single-message row, `<id>:<n>` for message n of a multi-message row. Multi-message
 * rows give back exactly the key, value and headers each message was written with (headers in
 * the order a single row's jsonb headers come back in).
 */
export function rowMessages(row: OutboxRow): (DecodedMessage & { readonly outboxId: string })[] {
  if (row.messages === null) {
    return [{ key: row.key, headers: row.headers, value: row.payload, outboxId: row.id }];
  }
  return decodeFrame(row.payload, row.messages, row.id).map((message, n) => ({
    ...message,
    outboxId: `${row.id}:${n}`,
  }));
}

/** The number of Kafka records `rows` become. */
export function messageCount(rows: readonly Pick<OutboxRow, 'messages'>[]): number {
  let count = 0;
  for (const row of rows) count += row.messages ?? 1;
  return count;
}

/**
 * The Kafka records of a batch, grouped by topic in first-seen order. Within a topic the rows
 * keep their id order, and a multi-message row its messages' order, so the records of one key
 * (one partition) are appended in that order. Every record carries its `x-outbox-id`.
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
    for (const message of rowMessages(row)) {
      const headers: IHeaders = { ...message.headers, [OUTBOX_ID_HEADER]: message.outboxId };
      entry.messages.push({ key: message.key, value: message.value, headers });
    }
  }
  return [...byTopic.values()];
}

/** The exponential backoff delay after `failures` consecutive failures (1, 2, ...). */
export function backoffMs(failures: number, initialMs: number, maxMs: number): number {
  if (failures < 1) return 0;
  return Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 30));
}
