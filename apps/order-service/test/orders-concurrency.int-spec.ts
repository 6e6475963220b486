// Proves TX1 cannot oversell a balance: 200 identical limit buys fired at once through HTTP
// (in-process Fastify, real PostgreSQL) against a balance that covers exactly 57 of them.
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { OutboxRelayService } from '@app/outbox';
import { createTestDatabase, type TestDatabase, expectAuditClean } from '@app/testing';
import { createTestApp, type TestApp } from './support/test-app';

/** Orders fired at once, and how many the balance covers. */
const ORDERS_FIRED = 200;
const ORDERS_FUNDED = 57;
/** 0.1 BTC at 100.00 USDT: a lock of 10 USDT = 1,000,000,000 minor units (scale 8). */
const ORDER = { symbol: 'BTC-USDT', side: 'BUY', type: 'LIMIT', price: '100.00', quantity: '0.1' };
const ORDER_LOCK_MINOR = 1_000_000_000n;
/**
 * How long a request may wait for one of the service's pooled connections here. The service's
 * bound (CONNECT_TIMEOUT_MS_DEFAULT, 5 s) also covers the wait for a free slot, and all 200
 * transactions queue for the same balance row through 5 connections, so on a slow machine the
 * last ones would wait longer than that and fail with 500 instead of reaching the balance check.
 * The test is about that check, not about the pool's patience (60 s: inside the test timeout).
 */
const POOL_WAIT_MS = 60_000;

describe('orders: concurrent TX1 on one balance (in-process, real PostgreSQL)', () => {
  let database: TestDatabase;
  let service: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase('ordrace', { seed: true, poolSizeMax: 2 });
    service = await createTestApp(database.url);
    // The pool reads this on every checkout (pg-pool), so raising it now covers every request.
    const pool = (service.app.get(DataSource).driver as PostgresDriver).master as Pool;
    pool.options.connectionTimeoutMillis = POOL_WAIT_MS;
    // The outbox is counted in this file, so the relay (which deletes published rows) is stopped
    // before any order is written.
    await service.app.get(OutboxRelayService).onApplicationShutdown();
  });

  afterAll(async () => {
    await service?.close();
    await database?.drop();
  });

  it(`accepts exactly ${ORDERS_FUNDED} of ${ORDERS_FIRED} concurrent buys and rejects the rest with INSUFFICIENT_FUNDS`, async () => {
    const created = await service.request({
      method: 'POST',
      url: '/api/v1/admin/users',
      headers: service.admin(),
      body: { name: 'racer' },
    });
    expect(created.status).toBe(201);
    const userId = created.body.id as string;
    const deposit = await service.request({
      method: 'POST',
      url: '/api/v1/admin/deposits',
      headers: service.admin(),
      body: { userId, asset: 'USDT', amount: String(ORDERS_FUNDED * 10) },
    });
    expect(deposit.status).toBe(201);
    const outboxBefore = await count('SELECT count(*)::int AS n FROM outbox');

    const responses = await Promise.all(
      Array.from({ length: ORDERS_FIRED }, () =>
        service.request({
          method: 'POST',
          url: '/api/v1/orders',
          headers: service.identity(userId, 'POST', '/api/v1/orders'),
          body: ORDER,
        }),
      ),
    );

    const accepted = responses.filter((r) => r.status === 201);
    const refused = responses.filter((r) => r.status !== 201);
    expect(accepted).toHaveLength(ORDERS_FUNDED);
    expect(refused).toHaveLength(ORDERS_FIRED - ORDERS_FUNDED);
    for (const response of refused) {
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({
        code: 'INSUFFICIENT_FUNDS',
        details: { asset: 'USDT' },
      });
    }
    for (const response of accepted) {
      expect(response.body).toMatchObject({ status: 'NEW', lockedAmount: '10.00000000' });
    }

    const [balance] = await database.dataSource.query(
      `SELECT available::text AS available, locked::text AS locked FROM balances
        WHERE user_id = $1 AND asset = 'USDT'`,
      [userId],
    );
    expect(balance).toEqual({
      available: '0',
      locked: String(BigInt(ORDERS_FUNDED) * ORDER_LOCK_MINOR),
    });
    const negative = await count(
      'SELECT count(*)::int AS n FROM balances WHERE available < 0 OR locked < 0',
    );
    expect(negative).toBe(0);
    const orderRows = await count(
      `SELECT count(*)::int AS n FROM orders WHERE user_id = '${userId}'`,
    );
    expect(orderRows).toBe(ORDERS_FUNDED);
    const lockEntries = await count(
      `SELECT count(*)::int AS n FROM ledger_entries WHERE user_id = '${userId}' AND reason = 'LOCK'`,
    );
    expect(lockEntries).toBe(ORDERS_FUNDED * 2);
    // Outbox rows, not Kafka records: the relay is stopped, so every queued command is still here.
    expect((await count('SELECT count(*)::int AS n FROM outbox')) - outboxBefore).toBe(
      ORDERS_FUNDED,
    );
    const commandIds = await database.dataSource.query(
      `SELECT headers->>'x-command-id' AS id FROM outbox WHERE headers->>'x-command-id' = ANY($1::text[])`,
      [accepted.map((r) => r.body.orderId as string)],
    );
    expect(commandIds).toHaveLength(ORDERS_FUNDED);
    await expectAuditClean(database.dataSource);
  });

  async function count(sql: string): Promise<number> {
    const [row] = (await database.dataSource.query(sql)) as { n: number }[];
    return row.n;
  }
});
