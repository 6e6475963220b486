// Proves a new producer with the same transactional id fences the old one: the old producer's send and commit fail with a fencing error (mapped to PRODUCER_FENCED), its open transaction is aborted, and only the new producer's records become visible.
// The old producer's kafkajs client logs one expected error line on the way, "Producer attempted
// an operation with an old epoch": that is the fencing this test proves.
import type { Producer } from 'kafkajs';
import {
  createTransactionalProducer,
  initTransactions,
  isFencingError,
  MessagingError,
  runInTransaction,
  TOPICS,
} from '@app/messaging';
import { createTestTopics, type TestTopics } from '@app/testing/kafka';
import { newRunId } from '@app/testing/run-id';
import { readUntil } from './kafka-test-helpers';

const SYMBOL = 'ETH-USDT';

describe('transactional producer fencing', () => {
  const runId = newRunId('kafkafence');
  let topics: TestTopics;
  const producers: Producer[] = [];

  function engineProducer(transactionalId: string): Producer {
    const producer = createTransactionalProducer(topics.kafka, { transactionalId });
    producers.push(producer);
    return producer;
  }

  beforeAll(async () => {
    topics = await createTestTopics(runId, [
      { logical: TOPICS.engineResults.logical, partitions: 2 },
    ]);
  });

  afterAll(async () => {
    await Promise.all(producers.map((p) => p.disconnect().catch(() => undefined)));
    await topics?.cleanup();
  });

  it('fails the old producer mid-transaction and shows only the new producer records', async () => {
    const resultsTopic = topics.names[TOPICS.engineResults.logical];
    const transactionalId = `${runId}.engine-send`;
    const oldLeader = engineProducer(transactionalId);
    const newLeader = engineProducer(transactionalId);
    await oldLeader.connect();
    await initTransactions(oldLeader);

    const outcome = await runInTransaction(oldLeader, async (tx) => {
      await tx.send({ topic: resultsTopic, messages: [{ key: SYMBOL, value: 'old-1' }] });
      // A standby takes over while the old leader is mid-batch.
      await newLeader.connect();
      await initTransactions(newLeader);
      await tx.send({ topic: resultsTopic, messages: [{ key: SYMBOL, value: 'old-2' }] });
    }).catch((err: unknown) => err);
    expect(outcome).toBeInstanceOf(MessagingError);
    expect(outcome).toMatchObject({ code: 'PRODUCER_FENCED' });
    expect(isFencingError((outcome as MessagingError).cause)).toBe(true);

    await runInTransaction(newLeader, async (tx) => {
      await tx.send({ topic: resultsTopic, messages: [{ key: SYMBOL, value: 'new-1' }] });
    });

    const dirty = await readUntil(topics.kafka, {
      groupId: `${runId}.dirty-send`,
      topic: resultsTopic,
      readUncommitted: true,
      done: (records) => records.some((r) => r.value === 'new-1'),
    });
    expect(dirty.map((r) => r.value)).toContain('old-1');

    const clean = await readUntil(topics.kafka, {
      groupId: `${runId}.clean-send`,
      topic: resultsTopic,
      done: (records) => records.some((r) => r.value === 'new-1'),
    });
    expect(clean.map((r) => r.value).filter((v) => v?.startsWith('old') || v === 'new-1')).toEqual([
      'new-1',
    ]);
  });

  it('fails the old producer commit after a new producer initialised', async () => {
    const resultsTopic = topics.names[TOPICS.engineResults.logical];
    const transactionalId = `${runId}.engine-commit`;
    const oldLeader = engineProducer(transactionalId);
    const newLeader = engineProducer(transactionalId);
    await oldLeader.connect();
    await initTransactions(oldLeader);

    const tx = await oldLeader.transaction();
    await tx.send({ topic: resultsTopic, messages: [{ key: SYMBOL, value: 'old-commit' }] });
    await newLeader.connect();
    await initTransactions(newLeader);
    const commitError = await tx.commit().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(commitError).toBeDefined();
    expect(isFencingError(commitError)).toBe(true);

    await runInTransaction(newLeader, async (t) => {
      await t.send({ topic: resultsTopic, messages: [{ key: SYMBOL, value: 'new-commit' }] });
    });
    const clean = await readUntil(topics.kafka, {
      groupId: `${runId}.clean-commit`,
      topic: resultsTopic,
      done: (records) => records.some((r) => r.value === 'new-commit'),
    });
    expect(clean.map((r) => r.value)).not.toContain('old-commit');
  });
});
