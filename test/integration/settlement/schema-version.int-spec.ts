// Proves settlement refuses a results record of a schema version it does not read, on real Kafka
// and PostgreSQL: the record before it settles, the refused one (x-schema-version "2") settles
// nothing and nothing after it either, the error names the version and the refusal is counted
// in messaging_schema_version_refusals_total. The error log is expected: the test reads it.
import { encodePackedResult, packEngineResults } from '@app/messaging';
import { metricsRegistry, type Logger } from '@app/observability';
import { SettlementConsumer } from '@app/settlement';
import { createTestTopics, newRunId, waitFor, type TestTopics } from '@app/testing';
import { nextCrossResult } from './cross-trades';
import {
  createSettlementFixture,
  createTrader,
  placeCross,
  RESULTS_LOGICAL,
  USER_UPDATES_TOPIC,
  type SettlementFixture,
} from './settlement-helpers';

async function refusals(topic: string): Promise<number> {
  const metric = metricsRegistry.getSingleMetric('messaging_schema_version_refusals_total');
  const values = (await metric?.get())?.values ?? [];
  return values.find((v) => v.labels.topic === topic && v.labels.version === '2')?.value ?? 0;
}

describe('settlement and the schema version of results records', () => {
  const runId = newRunId('setschema');
  let f: SettlementFixture;
  let topics: TestTopics;
  let consumer: SettlementConsumer | undefined;

  beforeAll(async () => {
    f = await createSettlementFixture('setschema');
    topics = await createTestTopics(runId, [{ logical: RESULTS_LOGICAL, partitions: 1 }]);
  });

  afterAll(async () => {
    await consumer?.stop();
    await topics?.cleanup();
    await f?.database.drop();
  });

  it('settles up to a record of an unknown version and refuses it, counted', async () => {
    const topic = topics.names[RESULTS_LOGICAL];
    const alice = await createTrader(f, { USDT: 100_000n * 100_000_000n });
    const bob = await createTrader(f, { BTC: 10n * 100_000_000n });
    const book = await placeCross(f, 'BTC-USDT', alice, bob, 3_000_000, 1_000);
    const record = (version: string) => ({
      key: 'BTC-USDT',
      value: packEngineResults(f.shard, f.token.toString(), [
        encodePackedResult(nextCrossResult(book, 1, 'BUY')),
      ]),
      headers: { 'x-schema-version': version },
    });
    const producer = topics.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, messages: [record('1'), record('2'), record('1')] });
    await producer.disconnect();

    const before = await refusals(topic);
    const errors: { obj: unknown; msg: unknown }[] = [];
    const logger = {
      error: (obj: unknown, msg: unknown) => errors.push({ obj, msg }),
      warn: () => undefined,
      info: () => undefined,
      debug: () => undefined,
    } as unknown as Logger;
    consumer = new SettlementConsumer({
      kafka: topics.kafka,
      dataSource: f.dataSource,
      resultsTopic: topic,
      userUpdatesTopic: USER_UPDATES_TOPIC,
      groupId: `${runId}-settlement`,
      logger,
    });
    await consumer.start();
    await waitFor(
      'the refusal of the version 2 record',
      async () => (await refusals(topic)) > before,
    );

    const trades = (await f.dataSource.query(`SELECT count(*)::int AS n FROM trades`)) as {
      n: number;
    }[];
    expect(trades[0].n).toBe(1);
    const [checkpoint] = (await f.dataSource.query(
      `SELECT last_offset::int AS offset FROM settlement_checkpoints WHERE topic = $1`,
      [topic],
    )) as { offset: number }[];
    expect(checkpoint.offset).toBe(0);
    const refusal = errors.find(
      ({ obj }) => (obj as { code?: string }).code === 'UNKNOWN_SCHEMA_VERSION',
    );
    expect(refusal?.msg).toBe('settlement refuses a record of a schema version it does not read');
    const message = ((refusal?.obj as { err: Error }).err as Error).message;
    expect(message).toContain(`${topic} partition 0 offset 1`);
    expect(message).toContain('x-schema-version "2"');
  }, 120_000);
});
