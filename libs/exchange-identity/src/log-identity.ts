// The log's side of the identity: the records of the metadata topic, and the end offsets of the
// exchange's other topics (whether the log has ever been used).
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import {
  MESSAGE_HEADERS,
  SCHEMA_VERSION,
  createIdempotentProducer,
  createReadCommittedConsumer,
  withAdmin,
} from '@app/messaging';
import {
  IDENTITY_RECORD_KEY,
  LOG_IDENTITY_READ_TIMEOUT_MS,
  LOG_OFFSETS_ATTEMPTS_MAX,
  LOG_OFFSETS_RETRY_DELAY_MS,
} from './exchange-identity.constants';
import { ExchangeIdentityError } from './exchange-identity-error';

/** The value of an identity record on the metadata topic. */
export interface IdentityRecord {
  readonly exchangeId: string;
  /** The database the writer was bound to, for operators reading the topic. */
  readonly database: string;
  /** ISO time of the write. */
  readonly writtenAt: string;
}

/**
 * The exchange the log belongs to: the exchange id of the record at the lowest offset of the
 * one-partition metadata topic `metaTopic`, or null when the topic holds no record. Later
 * identity records (a racing first boot writes one too) never change the answer. A first record
 * that is not an identity record answers with a description of it, which matches no identity.
 */
export async function readLogIdentity(
  kafka: Kafka,
  metaTopic: string,
  groupPrefix: string,
): Promise<string | null> {
  const range = await withAdmin(kafka, async (admin) => {
    if (!(await admin.listTopics()).includes(metaTopic)) {
      throw new ExchangeIdentityError(
        'META_TOPIC_MISSING',
        `topic ${metaTopic} does not exist: create the exchange's topics (npm run topics) first`,
      );
    }
    return fetchTopicOffsets(admin, metaTopic);
  });
  if (range.length !== 1) {
    throw new ExchangeIdentityError(
      'META_TOPIC_PARTITIONS',
      `topic ${metaTopic} has ${range.length} partitions; it must have exactly one`,
    );
  }
  const [{ low, high }] = range;
  if (BigInt(high) <= BigInt(low)) return null;
  const first = await readFirstRecord(
    kafka,
    metaTopic,
    `${groupPrefix}exchange-identity.${randomUUID()}`,
  );
  return identityOf(first);
}

/** Appends an identity record to the metadata topic, acknowledged by every in-sync replica. */
export async function appendLogIdentity(
  kafka: Kafka,
  metaTopic: string,
  record: IdentityRecord,
): Promise<void> {
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  try {
    await producer.send({
      topic: metaTopic,
      acks: -1,
      messages: [
        {
          key: IDENTITY_RECORD_KEY,
          value: JSON.stringify(record),
          headers: { [MESSAGE_HEADERS.schemaVersion]: String(SCHEMA_VERSION) },
        },
      ],
    });
  } finally {
    await producer.disconnect();
  }
}

/**
 * Per existing topic of `topics`, its partitions' end offsets as a read-committed consumer sees
 * them. A topic that does not exist is left out: it has never held a record.
 */
export async function readEndOffsets(
  kafka: Kafka,
  topics: readonly string[],
): Promise<Map<string, Map<number, bigint>>> {
  return withAdmin(kafka, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const ends = new Map<string, Map<number, bigint>>();
    for (const topic of topics.filter((t) => existing.has(t))) {
      const offsets = await fetchTopicOffsets(admin, topic);
      ends.set(topic, new Map(offsets.map((o) => [o.partition, BigInt(o.high)])));
    }
    return ends;
  });
}

/** `admin.fetchTopicOffsets`, retrying the broker's retriable answers (see the constant). */
async function fetchTopicOffsets(
  admin: Admin,
  topic: string,
): ReturnType<Admin['fetchTopicOffsets']> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      const retriable = (error as { retriable?: unknown }).retriable === true;
      if (!retriable || attempt >= LOG_OFFSETS_ATTEMPTS_MAX) throw error;
      await new Promise((resolve) => setTimeout(resolve, LOG_OFFSETS_RETRY_DELAY_MS));
    }
  }
}

/**
 * The first record a consumer in a new group of its own is handed from the start of the
 * one-partition topic: the record at the lowest offset. The group is deleted afterwards.
 */
async function readFirstRecord(
  kafka: Kafka,
  topic: string,
  groupId: string,
): Promise<KafkaMessage> {
  const consumer = createReadCommittedConsumer(kafka, { groupId });
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<KafkaMessage>((resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ExchangeIdentityError(
              'READ_TIMEOUT',
              `no record of ${topic} read within ${LOG_IDENTITY_READ_TIMEOUT_MS} ms`,
            ),
          ),
        LOG_IDENTITY_READ_TIMEOUT_MS,
      );
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ message }) => resolve(message),
        })
        .catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
    await withAdmin(kafka, (admin) => admin.deleteGroups([groupId])).catch(() => undefined);
  }
}

function identityOf(message: KafkaMessage): string {
  try {
    const value = JSON.parse(message.value?.toString('utf8') ?? '') as Partial<IdentityRecord>;
    if (typeof value.exchangeId === 'string' && value.exchangeId.length > 0)
      return value.exchangeId;
  } catch {
    // Not JSON: described below.
  }
  return `<not an identity record at offset ${message.offset}>`;
}
