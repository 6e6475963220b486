// Helpers shared by the outbox tests: a per-file database and topics, writes in a transaction,
// a background consumer that collects every record of a topic, and polling with a deadline.
import type { Consumer, Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { readHeader } from '@app/messaging';
import {
  OUTBOX_ID_HEADER,
  writeOutbox,
  type OutboxMessage,
  type OutboxRelay,
  type OutboxRelayLogger,
  type WriteOutboxOptions,
} from '@app/outbox';
import {
  createTestDatabase,
  createTestTopics,
  kafkaBrokersForTests,
  newRunId,
  type TestDatabase,
  type TestTopics,
  sleep,
} from '@app/testing';

export { sleep };

/** The test topic's logical name; 4 partitions so that several keys share none or some. */
export const EVENTS = 'outbox.events';
export const EVENTS_PARTITIONS = 4;

/** Bound on waiting for records in these tests; a healthy local broker needs well under 1 s. */
export const WAIT_MS = 30_000;

export interface OutboxFixture {
  readonly runId: string;
  readonly database: TestDatabase;
  readonly topics: TestTopics;
  /** Physical name of the events topic. */
  readonly topic: string;
  readonly brokers: string[];
  cleanup(): Promise<void>;
}

export async function createOutboxFixture(label: string): Promise<OutboxFixture> {
  const runId = newRunId(label);
  const database = await createTestDatabase(label);
  let topics: TestTopics;
  try {
    topics = await createTestTopics(runId, [
      { logical: EVENTS, partitions: EVENTS_PARTITIONS },
      { logical: `${EVENTS}.other`, partitions: 2 },
    ]);
  } catch (error) {
    await database.drop();
    throw error;
  }
  return {
    runId,
    database,
    topics,
    topic: topics.names[EVENTS],
    brokers: kafkaBrokersForTests(),
    cleanup: async () => {
      await topics.cleanup().catch(() => undefined);
      await database.drop();
    },
  };
}

/** Writes `messages` in one committed transaction; returns their outbox ids. */
export function writeCommitted(
  dataSource: DataSource,
  messages: readonly OutboxMessage[],
  options: WriteOutboxOptions = {},
): Promise<string[]> {
  return dataSource.transaction((manager) => writeOutbox(manager, messages, options));
}

/** A consumed record, flattened. */
export interface Collected {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
  /** The record's `x-outbox-id`: `<row id>`, or `<row id>:<n>` in a multi-message row. */
  readonly outboxId: string;
  /** When this process received it (performance.now()). */
  readonly receivedAt: number;
}

/** Reads topics from the beginning in its own group and keeps every record it sees. */
export class TopicCollector {
  readonly records: Collected[] = [];
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
  ) {}

  async start(topics: readonly string[]): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
    });
    this.consumer = consumer;
    const joined = new Promise<void>((resolve) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
    });
    await consumer.connect();
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const headers: Record<string, string> = {};
        for (const name of Object.keys(message.headers ?? {})) {
          headers[name] = readHeader(message.headers, name) ?? '';
        }
        this.records.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: message.value,
          headers,
          outboxId: headers[OUTBOX_ID_HEADER] ?? '',
          receivedAt: performance.now(),
        });
      },
    });
    await joined;
  }

  /** Distinct outbox ids seen so far. */
  distinctIds(): Set<string> {
    return new Set(this.records.map((r) => r.outboxId));
  }

  /** Waits until every id in `ids` has been seen at least once. */
  async waitForIds(ids: readonly string[], timeoutMs = WAIT_MS): Promise<void> {
    await eventually(`${ids.length} outbox ids on Kafka`, timeoutMs, () => {
      const seen = this.distinctIds();
      return ids.every((id) => seen.has(id)) ? true : undefined;
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/**
 * For every key, the outbox ids in the order their first copies arrived. Duplicates (a row sent
 * again after a crash) are dropped here, as a consumer deduplicating by command id would.
 */
export function firstCopiesByKey(records: readonly Collected[]): Map<string | null, string[]> {
  const seen = new Set<string>();
  const byKey = new Map<string | null, string[]>();
  for (const record of records) {
    if (seen.has(record.outboxId)) continue;
    seen.add(record.outboxId);
    const list = byKey.get(record.key) ?? [];
    list.push(record.outboxId);
    byKey.set(record.key, list);
  }
  return byKey;
}

/**
 * Orders two `x-outbox-id` values as the relay publishes them: by row id, then by the message's
 * index within a multi-message row. Negative, zero or positive, as for `sort`.
 */
export function compareOutboxIds(a: string, b: string): number {
  const [rowA, indexA] = parseOutboxId(a);
  const [rowB, indexB] = parseOutboxId(b);
  if (rowA !== rowB) return rowA < rowB ? -1 : 1;
  return indexA - indexB;
}

/** `<row id>` as [row id, -1], `<row id>:<n>` as [row id, n]. */
function parseOutboxId(id: string): [bigint, number] {
  const match = /^(\d+)(?::(\d+))?$/.exec(id);
  if (match === null) throw new Error(`not an outbox id: '${id}'`);
  return [BigInt(match[1]), match[2] === undefined ? -1 : Number(match[2])];
}

/** True if every key's first copies are in increasing (row id, index) order. */
export function inIdOrderPerKey(records: readonly Collected[]): boolean {
  for (const ids of firstCopiesByKey(records).values()) {
    for (let i = 1; i < ids.length; i += 1)
      if (compareOutboxIds(ids[i], ids[i - 1]) <= 0) return false;
  }
  return true;
}

/** What `countRounds` sees of a relay's loop. */
export interface RoundCount {
  /** Rounds started since `countRounds` was called (one lock attempt each while standing by). */
  started: number;
  /** Rounds finished (returned or threw) since then. */
  finished: number;
  /** The number of the round in which the relay took the lock, if its logger said so. */
  tookLockAt?: number;
}

/**
 * Counts the rounds of a relay's loop from now on, so that a test can wait for the relay to have
 * looked at the outbox (or tried the lock) a number of times instead of sleeping and hoping it
 * did. TEST ONLY instrumentation: wraps the relay's private `round` method without changing what
 * it does. With the relay's collecting logger it also records the round that took the lock.
 */
export function countRounds(
  relay: OutboxRelay,
  log?: ReturnType<typeof collectingLogger>,
): RoundCount {
  const count: RoundCount = { started: 0, finished: 0 };
  const internals = relay as unknown as { round(): Promise<number> };
  const round = internals.round.bind(relay);
  internals.round = async () => {
    const number = (count.started += 1);
    const logged = log?.entries.length ?? 0;
    try {
      return await round();
    } finally {
      count.finished += 1;
      const acquired = log?.entries
        .slice(logged)
        .some((e) => (e.fields as { reason?: string }).reason === 'lock acquired');
      if (acquired === true) count.tookLockAt ??= number;
    }
  };
  return count;
}

/** Waits until the relay finished `rounds` more rounds, each started after this call. */
export async function roundsFinished(
  count: RoundCount,
  rounds: number,
  timeoutMs = WAIT_MS,
): Promise<void> {
  // Rounds run one after another, so once round `from + rounds` finished, every round started
  // after this call has. One already under way may have read the outbox before the caller's
  // change, and does not count.
  const from = count.started;
  await eventually(`${rounds} relay round(s)`, timeoutMs, () =>
    count.finished >= from + rounds ? true : undefined,
  );
}

/** Calls `probe` every 20 ms until it returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  timeoutMs: number,
  probe: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await sleep(20);
  }
}

/** Unpublished rows left in the outbox. */
export async function outboxCount(dataSource: DataSource): Promise<number> {
  const [row] = await dataSource.query(`SELECT count(*)::int AS n FROM outbox`);
  return row.n as number;
}

/** `count` messages for `keys` in turn, with command ids `${tag}-<i>`. */
export function messages(
  topic: string,
  tag: string,
  count: number,
  keys: readonly string[] = ['BTC-USDT', 'ETH-USDT', 'SOL-USDT'],
): OutboxMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    topic,
    key: keys[i % keys.length],
    payload: { tag, i },
    commandId: `${tag}-${i}`,
  }));
}

/** A relay logger that keeps its entries, for assertions (and for reading after a failure). */
export function collectingLogger(): OutboxRelayLogger & {
  entries: { level: string; message: string; fields: object }[];
} {
  const entries: { level: string; message: string; fields: object }[] = [];
  const at = (level: string) => (fields: object, message: string) => {
    entries.push({ level, message, fields });
  };
  return { entries, info: at('info'), warn: at('warn'), error: at('error') };
}
