// Proves settlement of packed results records (many engine results in one Kafka record, as the
// engine leader writes them) on real Kafka and PostgreSQL: with transactions bounded to fewer
// results than a record holds, every record still settles whole, each trade exactly once; a
// second consumer group replaying the topic changes nothing; and the audit stays clean.
import { encodePackedResult, packEngineResults } from '@app/messaging';
import { SettlementConsumer } from '@app/settlement';
import { createTestTopics, newRunId, type TestTopics } from '@app/testing';
import { nextCrossResult } from './cross-trades';
import { waitCaughtUp } from './random-run';
import {
  createSettlementFixture,
  createTrader,
  expectAuditClean,
  placeCross,
  RESULTS_LOGICAL,
  snapshotState,
  USER_UPDATES_TOPIC,
  type SettlementFixture,
} from './settlement-helpers';

const RECORDS = 12;
const RESULTS_PER_RECORD = 50;
/** Smaller than a record: the consumer must still never split one. */
const BATCH_EVENTS_MAX = 20;

describe('settlement of packed results records', () => {
  const runId = newRunId('setpack');
  let f: SettlementFixture;
  let topics: TestTopics;
  const consumers: SettlementConsumer[] = [];

  const startConsumer = async (group: string) => {
    const consumer = new SettlementConsumer({
      kafka: topics.kafka,
      dataSource: f.dataSource,
      resultsTopic: topics.names[RESULTS_LOGICAL],
      userUpdatesTopic: USER_UPDATES_TOPIC,
      groupId: `${runId}-${group}`,
      batchEventsMax: BATCH_EVENTS_MAX,
    });
    consumers.push(consumer);
    await consumer.start();
    return consumer;
  };

  beforeAll(async () => {
    f = await createSettlementFixture('setpack');
    topics = await createTestTopics(runId, [{ logical: RESULTS_LOGICAL, partitions: 1 }]);
  });

  afterAll(async () => {
    for (const consumer of consumers) await consumer.stop();
    await topics?.cleanup();
    await f?.database.drop();
  });

  it('settles every packed record whole, each trade once, and a replay changes nothing', async () => {
    const alice = await createTrader(f, { USDT: 100_000n * 100_000_000n });
    const bob = await createTrader(f, { BTC: 10n * 100_000_000n });
    const lots = 100_000;
    const book = await placeCross(f, 'BTC-USDT', alice, bob, 3_000_000, lots);
    const producer = topics.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let r = 0; r < RECORDS; r++) {
      const entries = Array.from({ length: RESULTS_PER_RECORD }, (_, i) =>
        encodePackedResult(nextCrossResult(book, 1, i % 2 === 0 ? 'BUY' : 'SELL'), `req-${r}-${i}`),
      );
      await producer.send({
        topic: topics.names[RESULTS_LOGICAL],
        messages: [
          { key: 'BTC-USDT', value: packEngineResults(f.shard, f.token.toString(), entries) },
        ],
      });
    }
    await producer.disconnect();

    const first = await startConsumer('settlement');
    await waitCaughtUp(f, topics.kafka, topics.names[RESULTS_LOGICAL]);
    const trades = (await f.dataSource.query(
      `SELECT trade_seq::int AS seq FROM trades ORDER BY trade_seq`,
    )) as { seq: number }[];
    expect(trades.map((t) => t.seq)).toEqual(
      Array.from({ length: RECORDS * RESULTS_PER_RECORD }, (_, i) => i + 1),
    );
    // The checkpoint sits on a record boundary: the last record's offset.
    const [checkpoint] = (await f.dataSource.query(
      `SELECT last_offset::int AS offset FROM settlement_checkpoints WHERE topic = $1`,
      [topics.names[RESULTS_LOGICAL]],
    )) as { offset: number }[];
    expect(checkpoint.offset).toBe(RECORDS - 1);
    await expectAuditClean(f.dataSource);

    const before = await snapshotState(f.dataSource);
    await first.stop();
    // A fresh group starts at offset 0: every record is at or below the checkpoint.
    const replay = await startConsumer('replay');
    const admin = topics.kafka.admin();
    await admin.connect();
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const [committed] = await admin.fetchOffsets({
          groupId: `${runId}-replay`,
          topics: [topics.names[RESULTS_LOGICAL]],
        });
        if (Number(committed.partitions[0]?.offset) >= RECORDS) break;
        if (Date.now() > deadline) throw new Error('the replaying group did not reach the end');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await admin.disconnect();
    }
    await replay.stop();
    expect(await snapshotState(f.dataSource)).toEqual(before);
    await expectAuditClean(f.dataSource);
  }, 120_000);
});
