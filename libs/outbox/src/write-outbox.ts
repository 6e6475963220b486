import type { EntityManager, QueryRunner } from 'typeorm';
import { MESSAGE_HEADERS, SCHEMA_VERSION } from '@app/messaging';
import { currentRequestId } from '@app/observability';
import { OUTBOX_CHANNEL, OUTBOX_WRITE_STATEMENT_ROWS_MAX } from './outbox.constants';
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

// One statement per chunk: unnest turns the parameter arrays into rows, WITH ORDINALITY keeps
// the caller's order (so ids follow it), and pg_notify in the same statement queues the wake-up
// that PostgreSQL delivers at commit (and drops with a rollback). Repeated notifications of one
// transaction with the same payload are folded into one. The payloads travel as ONE bytea
// parameter, which node-postgres sends in binary, cut into rows by 1-based start and length: a
// bytea[] parameter would go as hex text, twice the bytes to write and for PostgreSQL to decode.
const INSERT_SQL = `
  WITH inserted AS (
    INSERT INTO outbox (topic, key, payload, headers)
    SELECT r.topic, r.key, substring($3::bytea FROM r.start FOR r.length), r.headers::jsonb
      FROM unnest($1::text[], $2::text[], $4::int[], $5::int[], $6::text[]) WITH ORDINALITY
           AS r(topic, key, start, length, headers, ord)
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
 * @returns the new row ids (decimal strings), in the order of `messages`.
 */
export async function writeOutbox(
  executor: OutboxExecutor,
  messages: readonly OutboxMessage[],
): Promise<string[]> {
  const runner = transactionRunner(executor);
  if (messages.length === 0) return [];
  const requestId = currentRequestId();
  const ids: string[] = [];
  for (let start = 0; start < messages.length; start += OUTBOX_WRITE_STATEMENT_ROWS_MAX) {
    const chunk = messages.slice(start, start + OUTBOX_WRITE_STATEMENT_ROWS_MAX);
    const rows: { ids: string[] | null }[] = await runner.query(
      INSERT_SQL,
      insertParameters(chunk, requestId),
    );
    const inserted = rows[0]?.ids ?? [];
    if (inserted.length !== chunk.length) {
      throw new OutboxError(
        'INVALID_MESSAGE',
        `outbox insert wrote ${inserted.length} rows for ${chunk.length} messages`,
      );
    }
    ids.push(...inserted);
  }
  return ids;
}

/**
 * The parameters of one insert statement: topics, keys, all payloads as one buffer with each
 * one's 1-based start and length in it, headers, and the channel. Exported for tests.
 */
export function insertParameters(
  messages: readonly OutboxMessage[],
  requestId: string | undefined,
): [string[], (string | null)[], Buffer, number[], number[], string[], string] {
  const topics: string[] = [];
  const keys: (string | null)[] = [];
  const payloads: Buffer[] = [];
  const starts: number[] = [];
  const lengths: number[] = [];
  const headers: string[] = [];
  let bytes = 0;
  for (const message of messages) {
    if (typeof message.topic !== 'string' || message.topic.length === 0) {
      throw new OutboxError('INVALID_MESSAGE', 'outbox message without a topic');
    }
    topics.push(message.topic);
    keys.push(message.key);
    const payload = encodePayload(message.payload);
    payloads.push(payload);
    starts.push(bytes + 1);
    lengths.push(payload.length);
    bytes += payload.length;
    headers.push(JSON.stringify(outboxHeaders(message, requestId)));
  }
  return [topics, keys, Buffer.concat(payloads, bytes), starts, lengths, headers, OUTBOX_CHANNEL];
}

/** The headers stored with a message: the defaults, then the message's own. */
export function outboxHeaders(
  message: Pick<OutboxMessage, 'commandId' | 'headers'>,
  requestId: string | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {
    [MESSAGE_HEADERS.schemaVersion]: String(SCHEMA_VERSION),
  };
  if (requestId !== undefined) headers[MESSAGE_HEADERS.requestId] = requestId;
  if (message.commandId !== undefined) headers[MESSAGE_HEADERS.commandId] = message.commandId;
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
