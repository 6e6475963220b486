// Proves every bad order request answers its stable code and writes nothing (row counts of orders,
// outbox, ledger and balances compared before and after each), in-process on real PostgreSQL:
// market filters, malformed amounts, field combinations, unknown and halted markets, unknown and
// forbidden fields, another user's order, and the cancel of an order that is no longer open.
import { OutboxRelayService } from '@app/outbox';
import { createTestDatabase, type TestDatabase, expectAuditClean } from '@app/testing';
import { MarketRegistry } from '../src/orders/market-registry';
import { createTestApp, type TestApp } from './support/test-app';

const BASE = { symbol: 'BTC-USDT', side: 'BUY', type: 'LIMIT', price: '100.00', quantity: '0.1' };

type Case = [string, Record<string, unknown>, number, string, string?];

// BTC-USDT: tick 0.01, step 0.00001, min qty 0.00001, max qty 1000, min notional 5, scale 8.
const CASES: Case[] = [
  ['price off the tick', { price: '100.005' }, 422, 'PRICE_OFF_TICK'],
  ['stop price off the tick', { type: 'STOP_LIMIT', stopPrice: '99.999' }, 422, 'PRICE_OFF_TICK'],
  ['quantity off the step', { quantity: '0.000015' }, 422, 'QUANTITY_OFF_STEP'],
  [
    'quantity above the maximum',
    { price: '1.00', quantity: '1000.00001' },
    422,
    'QUANTITY_ABOVE_MAX',
  ],
  ['notional below the minimum', { price: '1.00', quantity: '0.1' }, 422, 'NOTIONAL_BELOW_MIN'],
  [
    'market buy quote amount below the minimum notional',
    { type: 'MARKET', price: undefined, quantity: undefined, quoteAmount: '4.99' },
    422,
    'NOTIONAL_BELOW_MIN',
  ],
  ['too many decimals', { quantity: '0.000000001' }, 400, 'VALIDATION_FAILED', 'TOO_MANY_DECIMALS'],
  [
    'more decimals than the quote scale',
    { price: '100.000000001' },
    400,
    'VALIDATION_FAILED',
    'TOO_MANY_DECIMALS',
  ],
  ['a negative quantity', { quantity: '-0.1' }, 400, 'VALIDATION_FAILED', 'NEGATIVE'],
  ['a zero quantity', { quantity: '0' }, 400, 'VALIDATION_FAILED', 'ZERO'],
  ['a zero price', { price: '0.00' }, 400, 'VALIDATION_FAILED', 'ZERO'],
  ['exponent notation', { price: '1e2' }, 400, 'VALIDATION_FAILED', 'EXPONENT_NOTATION'],
  ['NaN', { quantity: 'NaN' }, 400, 'VALIDATION_FAILED', 'NOT_A_NUMBER'],
  ['a JSON number', { quantity: 0.1 }, 400, 'VALIDATION_FAILED', 'NOT_A_STRING'],
  [
    'a price beyond the tick range',
    { price: '99999999999999999999' },
    400,
    'VALIDATION_FAILED',
    'VALUE_TOO_LARGE',
  ],
  [
    'a quantity beyond the lot range',
    { quantity: '999999999999999' },
    400,
    'VALIDATION_FAILED',
    'VALUE_TOO_LARGE',
  ],
  ['a limit order without a price', { price: undefined }, 400, 'VALIDATION_FAILED', 'EMPTY'],
  ['a market order with a price', { type: 'MARKET' }, 422, 'INVALID_COMMAND'],
  ['a limit order with a quote amount', { quoteAmount: '10' }, 422, 'INVALID_COMMAND'],
  [
    'a market sell by quote amount',
    { side: 'SELL', type: 'MARKET', price: undefined, quantity: undefined, quoteAmount: '10' },
    422,
    'INVALID_COMMAND',
  ],
  [
    'a market buy with quantity and quote amount',
    { type: 'MARKET', price: undefined, quoteAmount: '10' },
    422,
    'INVALID_COMMAND',
  ],
  ['a stop price on a plain limit order', { stopPrice: '99.00' }, 422, 'INVALID_COMMAND'],
  [
    'post-only on a market order',
    { type: 'MARKET', price: undefined, postOnly: true },
    422,
    'INVALID_COMMAND',
  ],
  [
    'GTC on a market order',
    { type: 'MARKET', price: undefined, timeInForce: 'GTC' },
    422,
    'INVALID_COMMAND',
  ],
  ['maxQuote on a limit order', { maxQuote: '100' }, 422, 'INVALID_COMMAND'],
  ['an unknown market', { symbol: 'DOGE-USDT' }, 422, 'UNKNOWN_MARKET'],
  ['a malformed symbol', { symbol: 'btc/usdt' }, 400, 'VALIDATION_FAILED', 'INVALID_VALUE'],
  ['an unknown side', { side: 'HOLD' }, 400, 'VALIDATION_FAILED', 'INVALID_VALUE'],
  ['an unknown field', { leverage: '10' }, 400, 'UNKNOWN_FIELD', 'UNKNOWN_FIELD'],
  ['more than the balance', { price: '1000000.00', quantity: '1' }, 422, 'INSUFFICIENT_FUNDS'],
  ...(['status', 'userId', 'orderId', 'filledQuantity', 'fee'] as const).map((field): Case => [
    `the server-assigned field ${field}`,
    { [field]: 'X' },
    400,
    'FORBIDDEN_FIELD',
    'FORBIDDEN_FIELD',
  ]),
];

describe('orders: bad input writes nothing (in-process, real PostgreSQL)', () => {
  let database: TestDatabase;
  let service: TestApp;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    database = await createTestDatabase('ordval', { seed: true, poolSizeMax: 2 });
    service = await createTestApp(database.url);
    // Outbox rows are counted here; the relay would delete them once published.
    await service.app.get(OutboxRelayService).onApplicationShutdown();
    const users: { id: string; name: string }[] = await database.dataSource.query(
      `SELECT id::text AS id, name FROM users WHERE name IN ('alice', 'bob')`,
    );
    alice = users.find((u) => u.name === 'alice')!.id;
    bob = users.find((u) => u.name === 'bob')!.id;
  });

  afterAll(async () => {
    await service?.close();
    await database?.drop();
  });

  const call = (userId: string, method: string, url: string, body?: unknown) =>
    service.request({ method, url, body, headers: service.identity(userId, method, url) });

  /** Row counts and totals of every table an order request could write. */
  async function counts() {
    const [row] = await database.dataSource.query(
      `SELECT (SELECT count(*)::int FROM orders) AS orders,
              (SELECT count(*) FILTER (WHERE cancel_requested)::int FROM orders) AS cancel_requested,
              (SELECT count(*)::int FROM outbox) AS outbox,
              (SELECT count(*)::int FROM ledger_entries) AS ledger_entries,
              (SELECT string_agg(user_id || asset || available || '/' || locked, ',' ORDER BY user_id, asset)
                 FROM balances) AS balances`,
    );
    return row as Record<string, unknown>;
  }

  // A rest parameter keeps the callback's arity at 0: jest passes a `done` callback to a test
  // function declaring more parameters than a row has values.
  it.each(CASES)('refuses %s', async (...[, patch, status, code, fieldCode]: Case) => {
    const before = await counts();
    const body: Record<string, unknown> = { ...BASE, ...patch };
    for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
    const response = await call(alice, 'POST', '/api/v1/orders', body);
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    expect(response.body.requestId).toEqual(expect.any(String));
    if (fieldCode !== undefined) {
      expect(response.body.details).toMatchObject({
        fields: expect.arrayContaining([expect.objectContaining({ code: fieldCode })]),
      });
    }
    expect(await counts()).toEqual(before);
  });

  it('refuses QUANTITY_BELOW_MIN once a market minimum is above one step', async () => {
    await database.dataSource.query(`UPDATE markets SET min_qty = 0.01 WHERE symbol = 'ETH-USDT'`);
    await service.app.get(MarketRegistry).refresh();
    try {
      const before = await counts();
      const response = await call(alice, 'POST', '/api/v1/orders', {
        ...BASE,
        symbol: 'ETH-USDT',
        price: '10000.00',
        quantity: '0.0010',
      });
      expect(response.status).toBe(422);
      expect(response.body.code).toBe('QUANTITY_BELOW_MIN');
      expect(await counts()).toEqual(before);
    } finally {
      await database.dataSource.query(
        `UPDATE markets SET min_qty = 0.0001 WHERE symbol = 'ETH-USDT'`,
      );
      await service.app.get(MarketRegistry).refresh();
    }
  });

  it('refuses orders on a halted market (after the registry refresh) and accepts them again after', async () => {
    await database.dataSource.query(
      `UPDATE markets SET status = 'HALTED' WHERE symbol = 'BTC-USDT'`,
    );
    await service.app.get(MarketRegistry).refresh();
    try {
      const before = await counts();
      const single = await call(alice, 'POST', '/api/v1/orders', BASE);
      expect(single.status).toBe(422);
      expect(single.body.code).toBe('MARKET_HALTED');
      const batch = await call(alice, 'POST', '/api/v1/orders/batch', { orders: [BASE] });
      expect(batch.status).toBe(200);
      expect(batch.body.results).toEqual([
        expect.objectContaining({ index: 0, status: 'REJECTED', code: 'MARKET_HALTED' }),
      ]);
      expect(await counts()).toEqual(before);
    } finally {
      await database.dataSource.query(
        `UPDATE markets SET status = 'TRADING' WHERE symbol = 'BTC-USDT'`,
      );
      await service.app.get(MarketRegistry).refresh();
    }
    expect((await call(alice, 'POST', '/api/v1/orders', BASE)).status).toBe(201);
  });

  it("answers 404 ORDER_NOT_FOUND for another user's order, by id and client id, and changes nothing", async () => {
    const placed = await call(bob, 'POST', '/api/v1/orders', { ...BASE, clientOrderId: 'bob-1' });
    expect(placed.status).toBe(201);
    const orderId = placed.body.orderId as string;
    const before = await counts();
    for (const [method, url] of [
      ['GET', `/api/v1/orders/${orderId}`],
      ['DELETE', `/api/v1/orders/${orderId}`],
      ['DELETE', '/api/v1/orders/by-client-id/bob-1'],
      ['GET', '/api/v1/orders/0190a3a4-0000-7000-8000-000000000000'],
    ]) {
      const response = await call(alice, method, url);
      expect({ method, url, status: response.status, code: response.body.code }).toEqual({
        method,
        url,
        status: 404,
        code: 'ORDER_NOT_FOUND',
      });
    }
    const openOfAlice = await call(alice, 'GET', '/api/v1/orders/open');
    expect(
      (openOfAlice.body.items as unknown as { orderId: string }[]).map((o) => o.orderId),
    ).not.toContain(orderId);
    expect(await counts()).toEqual(before);
    const own = await call(bob, 'GET', `/api/v1/orders/${orderId}`);
    expect(own.body).toMatchObject({ orderId, status: 'NEW', cancelRequested: false });
    const badId = await call(alice, 'GET', '/api/v1/orders/not-a-uuid');
    expect(badId.status).toBe(400);
  });

  it('answers 409 ORDER_NOT_OPEN to the cancel of an order that is no longer live, writing nothing', async () => {
    const placed = await call(bob, 'POST', '/api/v1/orders', {
      ...BASE,
      clientOrderId: 'bob-done',
    });
    const orderId = placed.body.orderId as string;
    // What settlement does when the engine rejects an order: final status, lock released.
    // One balanced UNLOCK journal (AVAILABLE +x, LOCKED -x) under one journal id.
    await database.dataSource.transaction(async (manager) => {
      await manager.query(
        `UPDATE orders SET status = 'REJECTED', reject_code = 'POST_ONLY_WOULD_TAKE', locked_amount = 0 WHERE id = $1`,
        [orderId],
      );
      await manager.query(
        `UPDATE balances SET available = available + 1000000000, locked = locked - 1000000000
            WHERE user_id = $1 AND asset = 'USDT'`,
        [bob],
      );
      await manager.query(
        `INSERT INTO ledger_entries (journal_id, user_id, account, asset, amount, reason, ref_type, ref_id)
           SELECT j, $1, a, 'USDT', x, 'UNLOCK', 'ORDER', $2
             FROM (SELECT gen_random_uuid() AS j) g,
                  (VALUES ('LOCKED', -1000000000), ('AVAILABLE', 1000000000)) v(a, x)`,
        [bob, orderId],
      );
    });
    const before = await counts();
    for (const url of [`/api/v1/orders/${orderId}`, '/api/v1/orders/by-client-id/bob-done']) {
      const response = await call(bob, 'DELETE', url);
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({
        code: 'ORDER_NOT_OPEN',
        details: { order: { orderId, status: 'REJECTED' } },
      });
    }
    expect(await counts()).toEqual(before);
    await expectAuditClean(database.dataSource);
  });
});
