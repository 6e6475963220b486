// Proves a client order id raced by concurrent requests still yields one order: batches and
// single orders carrying the same ids are fired at once (in-process Fastify, real PostgreSQL;
// a statement trigger holds each orders insert for a moment, so every request has looked the
// ids up before the first one commits), and all of them answer with that one order.
import { OutboxRelayService } from '@app/outbox';
import { createTestDatabase, expectAuditClean, readOutbox, type TestDatabase } from '@app/testing';
import { createTestApp, type TestApp } from './support/test-app';

/** Requests fired at once in each race. */
const RACERS = 4;
/** 0.1 BTC at 100.00 USDT: a lock of 10 USDT = 1,000,000,000 minor units (scale 8). */
const order = (clientOrderId?: string) => ({
  symbol: 'BTC-USDT',
  side: 'BUY',
  type: 'LIMIT',
  price: '100.00',
  quantity: '0.1',
  ...(clientOrderId === undefined ? {} : { clientOrderId }),
});

interface OrderBody {
  orderId: string;
  clientOrderId: string | null;
}

describe('orders: one order per client order id under concurrent requests (real PostgreSQL)', () => {
  let database: TestDatabase;
  let service: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase('ordcoid', { seed: true, poolSizeMax: 2 });
    service = await createTestApp(database.url);
    await service.app.get(OutboxRelayService).onApplicationShutdown();
    await database.dataSource.query(
      `CREATE FUNCTION test_hold_insert() RETURNS trigger LANGUAGE plpgsql AS
         $$ BEGIN PERFORM pg_sleep(0.2); RETURN NULL; END $$`,
    );
    await database.dataSource.query(
      `CREATE TRIGGER test_hold_insert BEFORE INSERT ON orders
         FOR EACH STATEMENT EXECUTE FUNCTION test_hold_insert()`,
    );
  });

  afterAll(async () => {
    await service?.close();
    await database?.drop();
  });

  async function newTrader(name: string): Promise<string> {
    const created = await service.request({
      method: 'POST',
      url: '/api/v1/admin/users',
      headers: service.admin(),
      body: { name },
    });
    const userId = created.body.id as string;
    const deposit = await service.request({
      method: 'POST',
      url: '/api/v1/admin/deposits',
      headers: service.admin(),
      body: { userId, asset: 'USDT', amount: '1000' },
    });
    expect(deposit.status).toBe(201);
    return userId;
  }

  const post = (userId: string, url: string, body: unknown) =>
    service.request({ method: 'POST', url, headers: service.identity(userId, 'POST', url), body });

  /** The user's orders, USDT balance, LOCK entries and queued commands of their orders. */
  async function state(userId: string) {
    const [row] = await database.dataSource.query(
      `SELECT (SELECT count(*)::int FROM orders WHERE user_id = $1) AS orders,
              (SELECT count(*)::int FROM ledger_entries WHERE user_id = $1 AND reason = 'LOCK') AS lock_entries,
              (SELECT array_agg(id::text) FROM orders WHERE user_id = $1) AS order_ids,
              (SELECT available::text || '/' || locked::text FROM balances
                WHERE user_id = $1 AND asset = 'USDT') AS usdt`,
      [userId],
    );
    const { order_ids: orderIds, ...rest } = row as {
      orders: number;
      lock_entries: number;
      order_ids: string[] | null;
      usdt: string;
    };
    const ids = new Set(orderIds ?? []);
    const queued = await readOutbox(database.dataSource);
    const outbox = queued.filter((e) => ids.has(e.headers['x-command-id'])).length;
    return { orders: rest.orders, lock_entries: rest.lock_entries, outbox, usdt: rest.usdt };
  }

  it('answers concurrent batches repeating client order ids with the one order each id has', async () => {
    const userId = await newTrader('batch-racer');
    const responses = await Promise.all(
      Array.from({ length: RACERS }, () =>
        post(userId, '/api/v1/orders/batch', {
          orders: [order('race-a'), order(), order('race-b')],
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(RACERS).fill(200));

    const results = responses.map(
      (r) => r.body.results as unknown as ({ status: string } & OrderBody)[],
    );
    for (const [index, clientOrderId] of [
      [0, 'race-a'],
      [2, 'race-b'],
    ] as const) {
      const entries = results.map((r) => r[index]);
      expect(entries.filter((e) => e.status === 'ACCEPTED')).toHaveLength(1);
      expect(entries.filter((e) => e.status === 'EXISTING')).toHaveLength(RACERS - 1);
      expect(new Set(entries.map((e) => e.orderId)).size).toBe(1);
      expect(entries.every((e) => e.clientOrderId === clientOrderId)).toBe(true);
    }
    // The entry without a client order id is placed by every request.
    expect(results.every((r) => r[1].status === 'ACCEPTED')).toBe(true);

    // Two orders for the two ids, one per request without an id; 10 USDT locked for each, by
    // one LOCK pair per request (each placed at least its order without an id, in one TX1).
    const orders = 2 + RACERS;
    expect(await state(userId)).toEqual({
      orders,
      lock_entries: 2 * RACERS,
      outbox: orders,
      usdt: `${(1000 - 10 * orders) * 1e8}/${10 * orders * 1e8}`,
    });
    await expectAuditClean(database.dataSource);
  });

  it('answers concurrent single orders with one client order id: one 201, the rest 200 with it', async () => {
    const userId = await newTrader('single-racer');
    const responses = await Promise.all(
      Array.from({ length: RACERS }, () => post(userId, '/api/v1/orders', order('race-single'))),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([...Array(RACERS - 1).fill(200), 201]);
    expect(new Set(responses.map((r) => (r.body as unknown as OrderBody).orderId)).size).toBe(1);
    expect(await state(userId)).toEqual({
      orders: 1,
      lock_entries: 2,
      outbox: 1,
      usdt: `${990 * 1e8}/${10 * 1e8}`,
    });
    await expectAuditClean(database.dataSource);
  });
});
