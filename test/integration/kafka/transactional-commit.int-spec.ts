// Proves an engine-style consume-process-produce loop commits outputs and input offsets atomically: after runTransactionalBatch, a read_committed consumer sees exactly one result per command and the group's committed offsets reached the end of the input.
import type { Producer } from 'kafkajs';
import {
  createIdempotentProducer,
  createReadCommittedConsumer,
  createTransactionalProducer,
  initTransactions,
  offsetAfter,
  runTransactionalBatch,
  TOPICS,
} from '@app/messaging';
import { createTestTopics, type TestTopics } from '@app/testing/kafka';
import { newRunId } from '@app/testing/run-id';
import {
  committedOffsets,
  endOffsets,
  eventually,
  readUntil,
  withDeadline,
} from './kafka-test-helpers';

const SYMBOLS = ['BTC-USDT', 'ETH-USDT', 'SOL-USDT', 'XRP-USDT'];
const COMMANDS = 20;

describe('transactional consume-process-produce commit', () => {
  const runId = newRunId('kafkatxc');
  let topics: TestTopics;
  let input: Producer;
  let engine: Producer;

  beforeAll(async () => {
    topics = await createTestTopics(runId, [
      { logical: TOPICS.orders.logical, partitions: 4 },
      { logical: TOPICS.engineResults.logical, partitions: 4 },
    ]);
    input = createIdempotentProducer(topics.kafka);
    engine = createTransactionalProducer(topics.kafka, { transactionalId: `${runId}.engine-0` });
    await Promise.all([input.connect(), engine.connect()]);
    await initTransactions(engine);
  });

  afterAll(async () => {
    await Promise.all([input?.disconnect(), engine?.disconnect()]);
    await topics?.cleanup();
  });

  it('makes results visible and advances the group position together', async () => {
    const ordersTopic = topics.names[TOPICS.orders.logical];
    const resultsTopic = topics.names[TOPICS.engineResults.logical];
    const commandIds = Array.from({ length: COMMANDS }, (_, i) => `cmd-${i}`);
    await input.send({
      topic: ordersTopic,
      messages: commandIds.map((id, i) => ({ key: SYMBOLS[i % SYMBOLS.length], value: id })),
    });

    const groupId = `${runId}.engine`;
    const consumer = createReadCommittedConsumer(topics.kafka, { groupId });
    let processed = 0;
    let allProcessed!: () => void;
    const done = new Promise<void>((resolve) => (allProcessed = resolve));
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: ordersTopic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
          if (batch.messages.length === 0) return;
          const last = batch.messages[batch.messages.length - 1];
          await runTransactionalBatch(engine, {
            consumerGroupId: groupId,
            nextOffsets: [
              { topic: batch.topic, partition: batch.partition, offset: offsetAfter(last.offset) },
            ],
            records: [
              {
                topic: resultsTopic,
                messages: batch.messages.map((m) => ({
                  key: m.key,
                  value: `result-of-${m.value}`,
                })),
              },
            ],
          });
          for (const m of batch.messages) resolveOffset(m.offset);
          await heartbeat();
          processed += batch.messages.length;
          if (processed === COMMANDS) allProcessed();
        },
      });
      await withDeadline(done, `processing ${COMMANDS} commands`);
    } finally {
      await consumer.disconnect();
    }
    expect(processed).toBe(COMMANDS);

    const results = await readUntil(topics.kafka, {
      groupId: `${runId}.check`,
      topic: resultsTopic,
      done: (records) => records.length >= COMMANDS,
    });
    expect(results.map((r) => r.value).sort()).toEqual(
      commandIds.map((id) => `result-of-${id}`).sort(),
    );

    const ends = await endOffsets(topics.kafka, ordersTopic);
    const used = [...ends].filter(([, end]) => end !== '0');
    expect(used.reduce((sum, [, end]) => sum + Number(end), 0)).toBe(COMMANDS);
    // Offset markers are written after commit() returns, so the position may lag briefly.
    const committed = await eventually(
      'the engine group position at the end of the input',
      async () => {
        const offsets = await committedOffsets(topics.kafka, groupId, ordersTopic);
        return used.every(([p, end]) => offsets.get(p) === end) ? offsets : undefined;
      },
    );
    for (const [partition, end] of ends) {
      expect(committed.get(partition)).toBe(end === '0' ? '-1' : end);
    }
  });
});
