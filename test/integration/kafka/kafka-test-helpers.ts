// Helpers shared by the Kafka smoke tests: read a topic until a condition holds, poll until a value appears.
import type { Consumer, IHeaders, Kafka } from 'kafkajs';
import { createReadCommittedConsumer } from '@app/messaging';

export interface ReadRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: IHeaders | undefined;
}

/** Bound on waiting for records or offsets in these tests; a healthy local broker needs < 5 s. */
export const WAIT_MS = 30_000;

/**
 * Reads `topic` from the beginning in a fresh group until `done(records)` holds, then leaves the
 * group. `readUncommitted` shows records of open and aborted transactions too.
 */
export async function readUntil(
  kafka: Kafka,
  opts: {
    groupId: string;
    topic: string;
    readUncommitted?: boolean;
    done: (records: readonly ReadRecord[]) => boolean;
  },
): Promise<ReadRecord[]> {
  const consumer: Consumer = opts.readUncommitted
    ? kafka.consumer({
        groupId: opts.groupId,
        readUncommitted: true,
        allowAutoTopicCreation: false,
      })
    : createReadCommittedConsumer(kafka, { groupId: opts.groupId });
  const records: ReadRecord[] = [];
  let resolveDone!: () => void;
  const finished = new Promise<void>((resolve) => (resolveDone = resolve));
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: opts.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        records.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          headers: message.headers,
        });
        if (opts.done(records)) resolveDone();
      },
    });
    await withDeadline(finished, `reading ${opts.topic} (${records.length} records so far)`);
    return records;
  } finally {
    await consumer.disconnect();
  }
}

/** Calls `probe` until it returns a value other than undefined, or fails after WAIT_MS. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The committed positions of `groupId` on `topic`, by partition ('-1' = none). */
export async function committedOffsets(
  kafka: Kafka,
  groupId: string,
  topic: string,
): Promise<Map<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map(entry.partitions.map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

/** The end of each partition of `topic` (the offset the next record will get). */
export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((p) => [p.partition, p.high]));
  } finally {
    await admin.disconnect();
  }
}

export async function withDeadline<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${WAIT_MS} ms ${what}`)), WAIT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
