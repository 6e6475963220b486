import type { EntityManager, QueryRunner } from 'typeorm';
import { MESSAGE_HEADERS, SCHEMA_VERSION } from '@app/messaging';
import { currentRequestId } from '@app/observability';
import { encodeFrame, framedBytes, type FramedMessage } from './message-frame';
import {
  OUTBOX_CHANNEL,
  OUTBOX_ROW_BYTES_MAX,
  OUTBOX_ROW_MESSAGES_MAX,
  OUTBOX_WRITE_STATEMENT_ROWS_MAX,
} from './outbox.constants';
import { OutboxError } from './outbox-error';

/** One record to publish, written in the caller's transaction. */
export interface OutboxMessage {
  /** Physical Kafka topic name, prefix included (`TopicNames.of(TOPICS.orders.logical)`). */
  readonly topic: string;
  /** Record key (the symbol for commands); `null` publishes without a key. */
  readonly key: string | null;
  /**
   * The record value: a Buffer (or other byte array) is sent as is; anything else is
   * serialized with `JSON.stringify` to UTF-8 bytes (so it must not hold bigints).
   */
  readonly payload: Uint8Array | object;
  /** Becomes the `x-command-id` header; consumers deduplicate by it. */
  readonly commandId?: string;
  /**
   * Further headers. They are applied last, so they may also override the defaults (a consumer
   * passing on the request id of the message it handles, say).
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A TypeORM query runner or entity manager inside an open transaction. */
export type OutboxExecutor = QueryRunner | EntityManager;

export interface WriteOutboxOptions {
  /**
   * Pack consecutive messages of one topic into multi-message rows (up to
   * `OUTBOX_ROW_MESSAGES_MAX` messages and `OUTBOX_ROW_BYTES_MAX` bytes each), which the relay
   * expands into the same records, in the same order. One row instead of one per message: for
   * writers of many messages at once (batch ingestion). A run of one message, or a message too
   * big for a frame, still gets a row of its own. Default false.
   */
  readonly pack?: boolean;
}

/**
 * One row to insert. `messages` is null for a single-message row (key, headers and payload are
 * the message's); for a multi-message row it is the count, the payload is the frame
 * (`encodeFrame`) and key and headers are null and `{}`.
 */
export interface OutboxRowInput {
  readonly topic: string;
  readonly key: string | null;
  readonly payload: Buffer;
  readonly headersJson: string;
  readonly messages: number | null;
}

// One statement per chunk: unnest turns the parameter arrays into rows, WITH ORDINALITY keeps
// the caller's order (so ids follow it), and pg_notify in the same statement queues the wake-up
// that PostgreSQL delivers at commit (and drops with a rollback). Repeated notifications of one
// transaction with the same payload are folded into one. The payloads travel as ONE bytea
// parameter, which node-postgres sends in binary, cut into rows by 1-based start and length: a
// bytea[] parameter would go as hex text, twice the bytes to write and for PostgreSQL to decode.
const INSERT_SQL = `
  WITH inserted AS (
    INSERT INTO outbox (topic, key, payload, headers, messages)
    SELECT r.topic, r.key, substring($3::bytea FROM r.start FOR r.length), r.headers::jsonb,
           r.messages
      FROM unnest($1::text[], $2::text[], $4::int[], $5::int[], $6::text[], $8::int[])
           WITH ORDINALITY AS r(topic, key, start, length, headers, messages, ord)
     ORDER BY r.ord
    RETURNING id
  )
  SELECT array_agg(id ORDER BY id)::text[] AS ids, pg_notify($7, '')::text AS notified
    FROM inserted`;

/**
 * Inserts `messages` into the outbox inside the caller's transaction, with one statement per
 * `OUTBOX_WRITE_STATEMENT_ROWS_MAX` rows, and notifies the relay at commit. Headers get
 * `x-schema-version`, `x-request-id` (the current request id, when there is one) and
 * `x-command-id` (when given). Throws `NOT_IN_TRANSACTION` outside a transaction: a row written
 * in autocommit would be published even if the caller's business change rolled back.
 *
 * @returns each message's outbox id as its record's `x-outbox-id` will carry it, in the order
 *   of `messages`: the row id (a decimal string), or `<row id>:<n>` for message n (from 0) of a
 *   multi-message row.
 */
export async function writeOutbox(
  executor: OutboxExecutor,
  messages: readonly OutboxMessage[],
  options: WriteOutboxOptions = {},
): Promise<string[]> {
  const runner = transactionRunner(executor);
  if (messages.length === 0) return [];
  const all = outboxRows(messages, currentRequestId(), options.pack === true);
  const ids: string[] = [];
  for (let start = 0; start < all.length; start += OUTBOX_WRITE_STATEMENT_ROWS_MAX) {
    const chunk = all.slice(start, start + OUTBOX_WRITE_STATEMENT_ROWS_MAX);
    const rows: { ids: string[] | null }[] = await runner.query(
      INSERT_SQL,
      insertParameters(chunk),
    );
    const inserted = rows[0]?.ids ?? [];
    if (inserted.length !== chunk.length) {
      throw new OutboxError(
        'INVALID_MESSAGE',
        `outbox insert wrote ${inserted.length} rows for ${chunk.length} rows`,
      );
    }
    for (let i = 0; i < chunk.length; i += 1) {
      const count = chunk[i].messages;
      if (count === null) ids.push(inserted[i]);
      else for (let n = 0; n < count; n += 1) ids.push(`${inserted[i]}:${n}`);
    }
  }
  return ids;
}

/**
 * The rows that hold `messages`: one per message, or with `pack` consecutive messages of one
 * topic framed together within the row bounds. Exported for tests.
 */
export function outboxRows(
  messages: readonly OutboxMessage[],
  requestId: string | undefined,
  pack: boolean,
): OutboxRowInput[] {
  const rows: OutboxRowInput[] = [];
  let run: FramedMessage[] = [];
  let runTopic = '';
  let runBytes = 0;
  const flush = () => {
    if (run.length === 1) {
      const [only] = run;
      rows.push(single(runTopic, only.key, only.value, only.headersJson));
    } else if (run.length > 1) {
      const payload = encodeFrame(run);
      rows.push({ topic: runTopic, key: null, payload, headersJson: '{}', messages: run.length });
    }
    run = [];
    runBytes = 0;
  };
  for (const message of messages) {
    if (typeof message.topic !== 'string' || message.topic.length === 0) {
      throw new OutboxError('INVALID_MESSAGE', 'outbox message without a topic');
    }
    const value = encodePayload(message.payload);
    const headersJson = JSON.stringify(outboxHeaders(message, requestId));
    if (!pack) {
      rows.push(single(message.topic, message.key, value, headersJson));
      continue;
    }
    const bytes = framedBytes(
      message.key === null ? 0 : Buffer.byteLength(message.key, 'utf8'),
      Buffer.byteLength(headersJson, 'utf8'),
      value.length,
    );
    const fits =
      message.topic === runTopic &&
      run.length < OUTBOX_ROW_MESSAGES_MAX &&
      runBytes + bytes <= OUTBOX_ROW_BYTES_MAX;
    if (!fits) flush();
    runTopic = message.topic;
    run.push({ key: message.key, headersJson, value });
    runBytes += bytes;
  }
  flush();
  return rows;
}

function single(
  topic: string,
  key: string | null,
  payload: Buffer,
  headersJson: string,
): OutboxRowInput {
  return { topic, key, payload, headersJson, messages: null };
}

/**
 * The parameters of one insert statement: topics, keys, all payloads as one buffer with each
 * one's 1-based start and length in it, headers, the channel, and the message counts (null for
 * single-message rows). Exported for tests.
 */
export function insertParameters(
  rows: readonly OutboxRowInput[],
): [string[], (string | null)[], Buffer, number[], number[], string[], string, (number | null)[]] {
  const topics: string[] = [];
  const keys: (string | null)[] = [];
  const payloads: Buffer[] = [];
  const starts: number[] = [];
  const lengths: number[] = [];
  const headers: string[] = [];
  const counts: (number | null)[] = [];
  let bytes = 0;
  for (const row of rows) {
    topics.push(row.topic);
    keys.push(row.key);
    payloads.push(row.payload);
    starts.push(bytes + 1);
    lengths.push(row.payload.length);
    bytes += row.payload.length;
    headers.push(row.headersJson);
    counts.push(row.messages);
  }
  const payload = Buffer.concat(payloads, bytes);
  return [topics, keys, payload, starts, lengths, headers, OUTBOX_CHANNEL, counts];
}

/** The headers stored with a message: the defaults, then the message's own. */
export function outboxHeaders(
  message: Pick<OutboxMessage, 'commandId' | 'headers'>,
  requestId: string | undefined,
): Record<string, string> {
  // In jsonb key order (shorter names first, then bytewise), the order a headers column gives
  // them back in, so the relay need not reorder a multi-message row's headers (inJsonbKeyOrder).
  const headers: Record<string, string> = {};
  if (message.commandId !== undefined) headers[MESSAGE_HEADERS.commandId] = message.commandId;
  if (requestId !== undefined) headers[MESSAGE_HEADERS.requestId] = requestId;
  headers[MESSAGE_HEADERS.schemaVersion] = String(SCHEMA_VERSION);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (typeof value !== 'string') {
      throw new OutboxError('INVALID_MESSAGE', `header ${name} is not a string`);
    }
    headers[name] = value;
  }
  return headers;
}

/** The exact bytes sent to Kafka for a payload. */
export function encodePayload(payload: Uint8Array | object): Buffer {
  if (Buffer.isBuffer(payload)) return payload;
  if (payload instanceof Uint8Array) {
    return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  }
  const json: unknown = JSON.stringify(payload);
  if (typeof json !== 'string') {
    throw new OutboxError('INVALID_MESSAGE', 'outbox payload does not serialize to JSON');
  }
  return Buffer.from(json, 'utf8');
}

function transactionRunner(executor: OutboxExecutor): QueryRunner {
  const runner = 'isTransactionActive' in executor ? executor : executor.queryRunner;
  if (runner === undefined || !runner.isTransactionActive) {
    throw new OutboxError(
      'NOT_IN_TRANSACTION',
      'writeOutbox needs a query runner or entity manager inside an open transaction',
    );
  }
  return runner;
}
