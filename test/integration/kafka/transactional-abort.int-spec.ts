// Proves an aborted transaction leaves no trace for read_committed readers: its records are invisible to a read_committed consumer (a read_uncommitted one does see them, so the check can fail) and the group's position stays where the last committed transaction put it, so the group re-reads the input.
import type { Producer } from 'kafkajs';
import {
  createIdempotentProducer,
  createTransactionalProducer,
  groupOffsetsByTopic,
  initTransactions,
  runInTransaction,
  runTransactionalBatch,
  TOPICS,
} from '@app/messaging';
import { createTestTopics, type TestTopics } from '@app/testing/kafka';
import { newRunId } from '@app/testing/run-id';
import { committedOffsets, eventually, readUntil } from './kafka-test-helpers';

const SYMBOL = 'BTC-USDT';

describe('transactional consume-process-produce abort', () => {
  const runId = newRunId('kafkatxa');
  let topics: TestTopics;
  let plain: Producer;
  let engine: Producer;

  beforeAll(async () => {
    topics = await createTestTopics(runId, [
      { logical: TOPICS.orders.logical, partitions: 2 },
      { logical: TOPICS.engineResults.logical, partitions: 2 },
    ]);
    plain = createIdempotentProducer(topics.kafka);
    engine = createTransactionalProducer(topics.kafka, { transactionalId: `${runId}.engine-0` });
    await Promise.all([plain.connect(), engine.connect()]);
    await initTransactions(engine);
  });

  afterAll(async () => {
    await Promise.all([plain?.disconnect(), engine?.disconnect()]);
    await topics?.cleanup();
  });

  it('hides aborted records and keeps the committed position', async () => {
    const ordersTopic = topics.names[TOPICS.orders.logical];
    const resultsTopic = topics.names[TOPICS.engineResults.logical];
    const groupId = `${runId}.engine`;
    const [meta] = await plain.send({
      topic: ordersTopic,
      messages: ['c0', 'c1', 'c2', 'c3'].map((value) => ({ key: SYMBOL, value })),
    });
    const partition = meta.partition;
    expect(meta.baseOffset).toBe('0');

    // Command c0 is processed and committed: the group position becomes 1.
    await runTransactionalBatch(engine, {
      consumerGroupId: groupId,
      nextOffsets: [{ topic: ordersTopic, partition, offset: '1' }],
      records: [{ topic: resultsTopic, messages: [{ key: SYMBOL, value: 'committed-c0' }] }],
    });

    // Commands c1..c3 are processed, then the batch fails before commit.
    const boom = new Error('boom: engine failed mid-batch');
    await expect(
      runInTransaction(engine, async (tx) => {
        await tx.send({
          topic: resultsTopic,
          messages: ['c1', 'c2', 'c3'].map((c) => ({ key: SYMBOL, value: `aborted-${c}` })),
        });
        await tx.sendOffsets({
          consumerGroupId: groupId,
          topics: groupOffsetsByTopic([{ topic: ordersTopic, partition, offset: '4' }]),
        });
        throw boom;
      }),
    ).rejects.toBe(boom);

    // The producer is still usable after an abort, and a later record marks the end of the test.
    await plain.send({ topic: resultsTopic, messages: [{ key: SYMBOL, value: 'sentinel' }] });

    const dirty = await readUntil(topics.kafka, {
      groupId: `${runId}.dirty`,
      topic: resultsTopic,
      readUncommitted: true,
      done: (records) => records.some((r) => r.value === 'sentinel'),
    });
    expect(dirty.map((r) => r.value)).toEqual([
      'committed-c0',
      'aborted-c1',
      'aborted-c2',
      'aborted-c3',
      'sentinel',
    ]);

    const clean = await readUntil(topics.kafka, {
      groupId: `${runId}.clean`,
      topic: resultsTopic,
      done: (records) => records.some((r) => r.value === 'sentinel'),
    });
    expect(clean.map((r) => r.value)).toEqual(['committed-c0', 'sentinel']);

    const committed = await eventually(
      'the committed position of the first transaction',
      async () => {
        const offsets = await committedOffsets(topics.kafka, groupId, ordersTopic);
        return offsets.get(partition) === '-1' ? undefined : offsets;
      },
    );
    expect(committed.get(partition)).toBe('1');

    // The engine group resumes after c0: the aborted work on c1..c3 is redone, nothing skipped.
    const resumed = await readUntil(topics.kafka, {
      groupId,
      topic: ordersTopic,
      done: (records) => records.length >= 3,
    });
    expect(resumed.map((r) => r.value)).toEqual(['c1', 'c2', 'c3']);
  });
});
