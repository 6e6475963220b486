// Proves a record published through libs/messaging reaches a consumer group with its key and headers, in order per key, and the group's committed offsets reach the end of every partition (checked with admin.fetchOffsets).
import type { Producer } from 'kafkajs';
import {
  createIdempotentProducer,
  MESSAGE_HEADERS,
  messageHeaders,
  offsetAfter,
  createReadCommittedConsumer,
  readHeader,
  TOPICS,
} from '@app/messaging';
import { createTestTopics, type TestTopics } from '@app/testing/kafka';
import { newRunId } from '@app/testing/run-id';
import {
  committedOffsets,
  endOffsets,
  eventually,
  withDeadline,
  type ReadRecord,
} from './kafka-test-helpers';

const SYMBOLS = ['BTC-USDT', 'ETH-USDT', 'SOL-USDT', 'XRP-USDT', 'ADA-USDT', 'DOT-USDT'];
const PER_SYMBOL = 3;

describe('Kafka produce and consume through libs/messaging', () => {
  const runId = newRunId('kafkapc');
  let topics: TestTopics;
  let producer: Producer;

  beforeAll(async () => {
    topics = await createTestTopics(runId, [{ logical: TOPICS.orders.logical, partitions: 8 }]);
    producer = createIdempotentProducer(topics.kafka);
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await topics?.cleanup();
  });

  it('delivers every record and commits the group position to the end of each partition', async () => {
    const topic = topics.names[TOPICS.orders.logical];
    const sent = SYMBOLS.flatMap((symbol) =>
      Array.from({ length: PER_SYMBOL }, (_, seq) => ({ symbol, commandId: `${symbol}-${seq}` })),
    );
    await producer.send({
      topic,
      messages: sent.map((c) => ({
        key: c.symbol,
        value: JSON.stringify(c),
        headers: messageHeaders({ commandId: c.commandId, requestId: `req-${c.commandId}` }),
      })),
    });

    const groupId = `${runId}.settlement`;
    const consumer = createReadCommittedConsumer(topics.kafka, { groupId });
    const received: ReadRecord[] = [];
    let allReceived!: () => void;
    const done = new Promise<void>((resolve) => (allReceived = resolve));
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          received.push({
            topic,
            partition,
            offset: message.offset,
            key: message.key?.toString() ?? null,
            value: message.value?.toString() ?? null,
            headers: message.headers,
          });
          await consumer.commitOffsets([{ topic, partition, offset: offsetAfter(message.offset) }]);
          if (received.length === sent.length) allReceived();
        },
      });
      await withDeadline(done, `consuming ${sent.length} records`);
    } finally {
      await consumer.disconnect();
    }

    expect(received.map((r) => r.key).sort()).toEqual(sent.map((c) => c.symbol).sort());
    for (const symbol of SYMBOLS) {
      const mine = received.filter((r) => r.key === symbol);
      // One key, one partition, in the order sent.
      expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
      expect(mine.map((r) => JSON.parse(r.value ?? '{}').commandId)).toEqual(
        Array.from({ length: PER_SYMBOL }, (_, seq) => `${symbol}-${seq}`),
      );
    }
    const first = received[0];
    const commandId = readHeader(first.headers, MESSAGE_HEADERS.commandId);
    expect(readHeader(first.headers, MESSAGE_HEADERS.requestId)).toBe(`req-${commandId}`);
    expect(readHeader(first.headers, MESSAGE_HEADERS.schemaVersion)).toBe('1');
    expect(new Set(received.map((r) => r.partition)).size).toBeGreaterThan(1);

    const ends = await endOffsets(topics.kafka, topic);
    const committed = await eventually('committed offsets at the end of the topic', async () => {
      const offsets = await committedOffsets(topics.kafka, groupId, topic);
      const atEnd = [...ends].every(([p, end]) => end === '0' || offsets.get(p) === end);
      return atEnd ? offsets : undefined;
    });
    const used = [...ends].filter(([, end]) => end !== '0');
    expect(used.reduce((sum, [, end]) => sum + Number(end), 0)).toBe(sent.length);
    for (const [partition, end] of used) expect(committed.get(partition)).toBe(end);
  });
});
