// Proves order-service's wiring of settlement: with SETTLEMENT_ENABLED the service consumes the results topic under its KAFKA_TOPIC_PREFIX from bootstrap, settles, writes private user updates to the outbox, reports caught up, and stops on close; the real OrderServiceModule in-process on real PostgreSQL and Kafka.
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Producer } from 'kafkajs';
import { loadConfig } from '@app/config';
import { TOPICS } from '@app/messaging';
import { createLogger } from '@app/observability';
import { settlementCaughtUp, settlementGroupId } from '@app/settlement';
import { createTestTopics, kafkaBrokersForTests, newRunId, type TestTopics } from '@app/testing';
import { OrderServiceModule } from '../../../apps/order-service/src/order-service.module';
import { OrderServiceSettings } from '../../../apps/order-service/src/order-service.settings';
import { waitCaughtUp } from './random-run';
import {
  createSettlementFixture,
  createTrader,
  encodeResults,
  expectAuditClean,
  orderRow,
  place,
  RESULTS_LOGICAL,
  type SettlementFixture,
} from './settlement-helpers';

/**
 * The settlement consumer's Kafka session timeout: long, so that a close which only went away
 * instead of leaving the group (or which waited for the session to end) stands out.
 */
const SESSION_TIMEOUT_MS = 90_000;

describe('order-service settlement consumer', () => {
  const runId = newRunId('setsvc');
  let f: SettlementFixture;
  let topics: TestTopics;
  let producer: Producer;
  let app: NestFastifyApplication | undefined;

  beforeAll(async () => {
    f = await createSettlementFixture('setsvc');
    topics = await createTestTopics(runId, [
      { logical: RESULTS_LOGICAL, partitions: 2 },
      { logical: TOPICS.userUpdates.logical, partitions: 1 },
    ]);
    producer = topics.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    await app?.close();
    await producer?.disconnect();
    await topics?.cleanup();
    await f?.database.drop();
  });

  it('settles published results from bootstrap until close', async () => {
    const settings = loadConfig(OrderServiceSettings, {
      DATABASE_URL: f.database.url,
      DATABASE_POOL_MAX: '5',
      KAFKA_BROKERS: kafkaBrokersForTests().join(','),
      KAFKA_TOPIC_PREFIX: topics.prefix,
      NODE_ENV: 'test',
      OUTBOX_RELAY_ENABLED: 'false',
      SETTLEMENT_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
    });
    expect(settings.SETTLEMENT_ENABLED).toBe(true);
    const logger = createLogger({ service: 'order-service', level: 'error' });
    @Module({ imports: [OrderServiceModule.forRoot(settings, logger)] })
    class Root {}
    app = await NestFactory.create<NestFastifyApplication>(
      Root as unknown as DynamicModule,
      new FastifyAdapter(),
      { logger: false },
    );
    await app.init();

    const buyer = await createTrader(f, { USDT: 10_000n * 100_000_000n });
    const seller = await createTrader(f, { BTC: 100_000_000n });
    const sell = await place(f, {
      userId: seller,
      symbol: 'BTC-USDT',
      side: 'SELL',
      orderType: 'LIMIT',
      priceTicks: 3_000_000,
      qtyLots: 1_000,
    });
    const buy = await place(f, {
      userId: buyer,
      symbol: 'BTC-USDT',
      side: 'BUY',
      orderType: 'LIMIT',
      priceTicks: 3_000_000,
      qtyLots: 1_000,
    });
    const results = [f.engine.apply(sell), f.engine.apply(buy)];
    const values = encodeResults(f, results);
    const resultsTopic = topics.names[RESULTS_LOGICAL];
    await producer.send({
      topic: resultsTopic,
      messages: results.map((r, i) => ({ key: r.symbol, value: values[i] })),
    });
    await waitCaughtUp(f, topics.kafka, resultsTopic, 60_000);
    expect(await orderRow(f, buy.orderId)).toMatchObject({ status: 'FILLED', locked_amount: '0' });
    const updates = (await f.dataSource.query(
      `SELECT key, convert_from(payload, 'UTF8')::jsonb AS value FROM outbox WHERE topic = $1 ORDER BY id`,
      [topics.names[TOPICS.userUpdates.logical]],
    )) as { key: string; value: { userId: string; orders: unknown[]; balances: unknown[] } }[];
    expect(updates.map((u) => u.key).sort()).toEqual(expect.arrayContaining([buyer, seller]));
    for (const update of updates) {
      expect(update.value.userId).toBe(update.key);
      expect(update.value.balances.length).toBeGreaterThan(0);
    }

    const groupId = settlementGroupId(topics.prefix, f.database.url);
    const admin = topics.kafka.admin();
    await admin.connect();
    let closeMs: number;
    try {
      const members = async () =>
        (await admin.describeGroups([groupId])).groups.map((g) => ({
          groupId: g.groupId,
          members: g.members.length,
        }));
      expect(await members()).toEqual([{ groupId, members: 1 }]);
      const closing = Date.now();
      await app.close();
      app = undefined;
      closeMs = Date.now() - closing;
      // Stopping on close means leaving the group at once: a member that merely went away would
      // stay in it until its session timed out (long here), and its partitions with it.
      expect(await members()).toEqual([{ groupId, members: 0 }]);
    } finally {
      await admin.disconnect();
    }
    // And promptly: close waits for the fetch in flight (kafkajs: 5 s at most) and the batch
    // being settled, never for anything as long as the session timeout. A third of it leaves a
    // slow machine plenty of room and still fails a close that waits the session out.
    expect(closeMs).toBeLessThan(settings.SETTLEMENT_SESSION_TIMEOUT_MS / 3);
    expect(await settlementCaughtUp(f.dataSource, topics.kafka, resultsTopic)).toBe(true);
    await expectAuditClean(f.dataSource);
  }, 120_000);
});
