// Proves the settlement progress guard sees only committed work as waiting, on real Kafka and PostgreSQL with the settlement consumer in-process: an engine transaction left open at the log's tail is no lag (the read-committed end stops before it), and once it is aborted the checkpoint moves past its records and marker, so the guard (with a 2 s bound) never calls a quiet, settled partition stalled and logs nothing at error.
import { Writable } from 'node:stream';
import type { Producer } from 'kafkajs';
import { createLogger } from '@app/observability';
import { SettlementConsumer, SettlementProgressGuard, settlementCatchUp } from '@app/settlement';
import { createTestTopics, newRunId, sleep, waitFor, type TestTopics } from '@app/testing';
import {
  createSettlementFixture,
  createTrader,
  encodeResults,
  place,
  RESULTS_LOGICAL,
  USER_UPDATES_TOPIC,
  type SettlementFixture,
} from './settlement-helpers';

/** Short, so that a false stall would show within the test: four times the poll interval. */
const STALL_MS = 2_000;
const POLL_MS = 500;

describe('settlement progress guard at a transactional tail', () => {
  const runId = newRunId('setguard');
  let f: SettlementFixture;
  let topics: TestTopics;
  let resultsTopic: string;
  let producer: Producer;
  let consumer: SettlementConsumer;
  let guard: SettlementProgressGuard;
  const logLines: { level: string; msg: string }[] = [];

  beforeAll(async () => {
    f = await createSettlementFixture('setguard');
    topics = await createTestTopics(runId, [{ logical: RESULTS_LOGICAL, partitions: 1 }]);
    resultsTopic = topics.names[RESULTS_LOGICAL];
    producer = topics.kafka.producer({
      transactionalId: `${runId}-engine`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const logger = createLogger({
      service: 'order-service',
      level: 'info',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
            logLines.push(JSON.parse(line));
          }
          done();
        },
      }),
    });
    consumer = new SettlementConsumer({
      kafka: topics.kafka,
      dataSource: f.dataSource,
      resultsTopic,
      userUpdatesTopic: USER_UPDATES_TOPIC,
      groupId: `${runId}-settlement`,
      logger,
    });
    await consumer.start();
    guard = new SettlementProgressGuard({
      kafka: topics.kafka,
      db: f.dataSource,
      resultsTopic,
      logger,
      stallMs: STALL_MS,
      pollIntervalMs: POLL_MS,
    });
    guard.start();
  });

  afterAll(async () => {
    await guard?.stop();
    await consumer?.stop();
    await producer?.disconnect();
    await topics?.cleanup();
    await f?.database.drop();
  });

  const checkpoint = async () =>
    (await settlementCatchUp(f.dataSource, topics.kafka, resultsTopic))[0];

  it('counts neither an open nor an aborted transaction as waiting work', async () => {
    const seller = await createTrader(f, { BTC: 100_000_000n });
    const order = (qtyLots: number) =>
      place(f, {
        userId: seller,
        symbol: 'BTC-USDT',
        side: 'SELL',
        orderType: 'LIMIT',
        priceTicks: 3_000_000,
        qtyLots,
      });
    const send = async (qtyLots: number) => {
      const [value] = encodeResults(f, [f.engine.apply(await order(qtyLots))]);
      return { topic: resultsTopic, messages: [{ key: 'BTC-USDT', value }] };
    };

    const committed = await producer.transaction();
    await committed.send(await send(100));
    await committed.commit();
    await waitFor('the committed result to be settled', async () => (await checkpoint()).caughtUp);
    await waitFor('the guard to see the partition', () => guard.report().partitions === 1);

    // An engine transaction still open at the tail: the read-committed end stops before it.
    const open = await producer.transaction();
    await open.send(await send(200));
    await sleep(STALL_MS + 2 * POLL_MS);
    expect(guard.report()).toMatchObject({ polled: true, lagOffsets: 0, stalled: [] });
    expect(guard.stallReason()).toBeUndefined();

    // Aborted (a fenced leader's batch): its records and marker now lie below the end, and the
    // consumer, which reads no result in them, must still move the checkpoint past them.
    await open.abort();
    await waitFor(
      'the checkpoint to pass the aborted transaction',
      async () => (await checkpoint()).caughtUp,
      10_000,
      async () =>
        JSON.stringify(await checkpoint(), (_, v) => (typeof v === 'bigint' ? `${v}` : v)),
    );
    const { lastOffset, highWatermark } = await checkpoint();
    expect(lastOffset + 1n).toBe(highWatermark);
    await sleep(STALL_MS + 2 * POLL_MS);
    expect(guard.report()).toMatchObject({ lagOffsets: 0, stalled: [] });
    expect(logLines.filter((line) => line.level === 'error')).toEqual([]);
  }, 60_000);
});
