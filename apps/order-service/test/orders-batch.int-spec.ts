// Proves batch TX1 and client order id idempotency in-process on real PostgreSQL: funds checked
// cumulatively in request order, one transaction (a failing statement, injected with a trigger,
// writes nothing), per-entry rejections, repeats answered with the existing order, size bounds.
import { OutboxRelayService } from '@app/outbox';
import { createTestDatabase, expectAuditClean, readOutbox, type TestDatabase } from '@app/testing';
import { createTestApp, type TestApp } from './support/test-app';

const limitBuy = (price: string, quantity: string, extra: Record<string, unknown> = {}) => ({
  symbol: 'BTC-USDT',
  side: 'BUY',
  type: 'LIMIT',
  price,
  quantity,
  ...extra,
});

describe('orders: batch and client order ids (in-process, real PostgreSQL)', () => {
  let database: TestDatabase;
  let service: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase('ordbatch', { seed: true, poolSizeMax: 2 });
    service = await createTestApp(database.url);
    // Outbox rows are counted here; the relay would delete them once published.
    await service.app.get(OutboxRelayService).onApplicationShutdown();
  });

  afterAll(async () => {
    await service?.close();
    await database?.drop();
  });

  async function newTrader(name: string, usdt: string): Promise<string> {
    const created = await service.request({
      method: 'POST',
      url: '/api/v1/admin/users',
      headers: service.admin(),
      body: { name },
    });
    expect(created.status).toBe(201);
    const userId = created.body.id as string;
    const deposit = await service.request({
      method: 'POST',
      url: '/api/v1/admin/deposits',
      headers: service.admin(),
      body: { userId, asset: 'USDT', amount: usdt },
    });
    expect(deposit.status).toBe(201);
    return userId;
  }

  const batch = (userId: string, orders: unknown[]) =>
    service.request({
      method: 'POST',
      url: '/api/v1/orders/batch',
      headers: service.identity(userId, 'POST', '/api/v1/orders/batch'),
      body: { orders },
    });
  const place = (userId: string, body: unknown) =>
    service.request({
      method: 'POST',
      url: '/api/v1/orders',
      headers: service.identity(userId, 'POST', '/api/v1/orders'),
      body,
    });

  /** Rows of every table TX1 writes, and the user's USDT balance. */
  async function snapshot(userId: string) {
    const [row] = await database.dataSource.query(
      `SELECT (SELECT count(*)::int FROM orders) AS orders,
              (SELECT COALESCE(sum(COALESCE(messages, 1)), 0)::int FROM outbox) AS outbox,
              (SELECT count(*)::int FROM outbox) AS outbox_rows,
              (SELECT count(*)::int FROM ledger_entries) AS ledger_entries,
              (SELECT count(DISTINCT journal_id)::int FROM ledger_entries) AS journals,
              (SELECT available::text || '/' || locked::text FROM balances
                WHERE user_id = $1 AND asset = 'USDT') AS usdt`,
      [userId],
    );
    return row as {
      orders: number;
      /** Queued messages: a multi-message row counts each. */
      outbox: number;
      outbox_rows: number;
      ledger_entries: number;
      journals: number;
      usdt: string;
    };
  }

  it('checks funds cumulatively in request order and writes the accepted ones in one go', async () => {
    const userId = await newTrader('maker', '100');
    const before = await snapshot(userId);
    const response = await batch(userId, [
      limitBuy('100.00', '0.4'), // 40: accepted, 60 left
      limitBuy('100.00', '0.4'), // 40: accepted, 20 left
      limitBuy('100.00', '0.4'), // 40: rejected
      limitBuy('100.00', '0.3'), // 30: rejected
      limitBuy('100.005', '0.1'), // off tick: rejected on its own
      { ...limitBuy('100.00', '0.1'), symbol: 'DOGE-USDT' }, // unknown market
      limitBuy('100.00', '0.1'), // 10: still fits, accepted, 10 left
      limitBuy('100.00', '0.2'), // 20: rejected
    ]);
    expect(response.status).toBe(200);
    const results = response.body.results as unknown as Record<string, unknown>[];
    expect(results.map((r) => [r.index, r.status, r.code ?? null])).toEqual([
      [0, 'ACCEPTED', null],
      [1, 'ACCEPTED', null],
      [2, 'REJECTED', 'INSUFFICIENT_FUNDS'],
      [3, 'REJECTED', 'INSUFFICIENT_FUNDS'],
      [4, 'REJECTED', 'PRICE_OFF_TICK'],
      [5, 'REJECTED', 'UNKNOWN_MARKET'],
      [6, 'ACCEPTED', null],
      [7, 'REJECTED', 'INSUFFICIENT_FUNDS'],
    ]);
    // An entry holds the order's id (or the reason), not the full order.
    expect(results[0]).toEqual({
      index: 0,
      status: 'ACCEPTED',
      orderId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      clientOrderId: null,
    });
    expect(results[2]).toEqual({
      index: 2,
      status: 'REJECTED',
      code: 'INSUFFICIENT_FUNDS',
      message: expect.any(String),
      details: { asset: 'USDT' },
      clientOrderId: null,
    });
    const after = await snapshot(userId);
    // One LOCK journal for the whole transaction, holding one netted entry pair for the asset.
    expect(after).toEqual({
      orders: before.orders + 3,
      outbox: before.outbox + 3,
      // One multi-message outbox row for the batch's place commands.
      outbox_rows: before.outbox_rows + 1,
      ledger_entries: before.ledger_entries + 2,
      journals: before.journals + 1,
      usdt: '1000000000/9000000000',
    });
    // Each accepted order keeps its own initial lock and names the batch's journal; the ledger
    // holds their sum as one pair (AVAILABLE -sum, LOCKED +sum) under that journal
    // (ref_type ORDER_BATCH), which the auditor ties to the orders.
    const lockOf = new Map([
      [0, 4_000_000_000n],
      [1, 4_000_000_000n],
      [6, 1_000_000_000n],
    ]);
    const acceptedResults = results.filter((r) => r.status === 'ACCEPTED');
    const orderLocks: { id: string; initial_lock: string; lock_journal_id: string }[] =
      await database.dataSource.query(
        `SELECT id::text, initial_lock::text, lock_journal_id::text FROM orders
          WHERE id = ANY($1::uuid[])`,
        [acceptedResults.map((r) => r.orderId)],
      );
    expect(new Map(orderLocks.map((o) => [o.id, o.initial_lock]))).toEqual(
      new Map(acceptedResults.map((r) => [r.orderId, String(lockOf.get(r.index as number))])),
    );
    const journalIds = new Set(orderLocks.map((o) => o.lock_journal_id));
    expect(journalIds.size).toBe(1);
    const [journalId] = journalIds;
    const entries: unknown[] = await database.dataSource.query(
      `SELECT journal_id::text, account, asset, amount::text, ref_type, ref_id FROM ledger_entries
        WHERE user_id = $1 AND reason = 'LOCK' ORDER BY account`,
      [userId],
    );
    const total = String([...lockOf.values()].reduce((a, b) => a + b, 0n));
    expect(entries).toEqual(
      ['AVAILABLE', 'LOCKED'].map((account) => ({
        journal_id: journalId,
        account,
        asset: 'USDT',
        amount: account === 'AVAILABLE' ? `-${total}` : total,
        ref_type: 'ORDER_BATCH',
        ref_id: journalId,
      })),
    );
    // One transaction: every accepted row carries the same transaction's xid.
    const [{ xids }] = await database.dataSource.query(
      `SELECT count(DISTINCT xmin::text)::int AS xids FROM orders WHERE user_id = $1`,
      [userId],
    );
    expect(xids).toBe(1);
    const accepted = new Set(
      results.filter((r) => r.status === 'ACCEPTED').map((r) => r.orderId as string),
    );
    const queued = (await readOutbox(database.dataSource)).filter((e) =>
      accepted.has(e.headers['x-command-id']),
    );
    expect(queued).toHaveLength(accepted.size);
    expect(new Set(queued.map((e) => e.txid)).size).toBe(1);
    // OUTBOX_PACK_BATCHES (on by default): the batch's commands share one outbox row.
    expect(new Set(queued.map((e) => e.rowId)).size).toBe(1);
    await expectAuditClean(database.dataSource);
  });

  it('writes a row per order when OUTBOX_PACK_BATCHES is off, with the same commands', async () => {
    const unpacked = await createTestApp(database.url, [], { OUTBOX_PACK_BATCHES: 'false' });
    try {
      await unpacked.app.get(OutboxRelayService).onApplicationShutdown();
      const userId = await newTrader('unpacked', '100000');
      const orders = Array.from({ length: 5 }, (_, i) => ({
        symbol: 'BTC-USDT',
        side: 'BUY',
        type: 'LIMIT',
        price: `${100 + i}.00`,
        quantity: '0.1',
        clientOrderId: `unpacked-${i}`,
      }));
      const response = await unpacked.request({
        method: 'POST',
        url: '/api/v1/orders/batch',
        headers: unpacked.identity(userId, 'POST', '/api/v1/orders/batch'),
        body: { orders },
      });
      expect(response.status).toBe(200);
      const ids = (response.body.results as { orderId: string; status: string }[]).map((r) => {
        expect(r.status).toBe('ACCEPTED');
        return r.orderId;
      });
      const queued = (await readOutbox(database.dataSource)).filter((e) =>
        ids.includes(e.headers['x-command-id']),
      );
      // One row each, in request order, every one a single-message row (`<row id>` as its id).
      expect(queued.map((e) => e.headers['x-command-id'])).toEqual(ids);
      expect(new Set(queued.map((e) => e.rowId)).size).toBe(ids.length);
      expect(queued.every((e) => e.outboxId === e.rowId)).toBe(true);
      expect(new Set(queued.map((e) => e.txid)).size).toBe(1);
      await expectAuditClean(database.dataSource);
    } finally {
      await unpacked.close();
    }
  });

  it.each([
    ['orders (inside the one insert statement)', 'ledger_entries'],
    ['outbox (a later statement of the same transaction)', 'outbox'],
  ])('writes nothing when the insert into %s fails', async (_label, table) => {
    const userId = await newTrader(`atomic-${table}`, '100');
    const before = await snapshot(userId);
    await database.dataSource.query(
      `CREATE OR REPLACE FUNCTION test_fail_insert() RETURNS trigger LANGUAGE plpgsql AS
         $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`,
    );
    await database.dataSource.query(
      `CREATE TRIGGER test_fail_insert BEFORE INSERT ON ${table}
         FOR EACH STATEMENT EXECUTE FUNCTION test_fail_insert()`,
    );
    try {
      const response = await batch(userId, [limitBuy('100.00', '0.1'), limitBuy('100.00', '0.2')]);
      expect(response.status).toBe(500);
      expect(response.body.code).toBe('INTERNAL');
    } finally {
      await database.dataSource.query(`DROP TRIGGER test_fail_insert ON ${table}`);
    }
    expect(await snapshot(userId)).toEqual(before);
    const retry = await batch(userId, [limitBuy('100.00', '0.1')]);
    expect((retry.body.results as unknown as { status: string }[])[0].status).toBe('ACCEPTED');
  });

  it('answers a repeated client order id with the existing order, single and batch', async () => {
    const userId = await newTrader('idem', '1000');
    const first = await place(userId, limitBuy('100.00', '0.1', { clientOrderId: 'c-1' }));
    expect(first.status).toBe(201);
    const before = await snapshot(userId);
    const again = await place(userId, limitBuy('100.00', '0.1', { clientOrderId: 'c-1' }));
    expect(again.status).toBe(200);
    expect(again.body.orderId).toBe(first.body.orderId);
    expect(await snapshot(userId)).toEqual(before);

    const response = await batch(userId, [
      limitBuy('100.00', '0.1', { clientOrderId: 'c-1' }),
      limitBuy('100.00', '0.1', { clientOrderId: 'c-2' }),
      limitBuy('101.00', '0.1', { clientOrderId: 'c-2' }),
      limitBuy('100.00', '0.1'),
    ]);
    const results = response.body.results as unknown as Record<string, unknown>[];
    expect(results.map((r) => [r.status, r.code ?? null])).toEqual([
      ['EXISTING', null],
      ['ACCEPTED', null],
      ['REJECTED', 'DUPLICATE_CLIENT_ORDER_ID'],
      ['ACCEPTED', null],
    ]);
    expect(results[0].orderId).toBe(first.body.orderId);
    expect(results.map((r) => r.clientOrderId)).toEqual(['c-1', 'c-2', 'c-2', null]);
    const c2 = results[1].orderId as string;
    const middle = await snapshot(userId);
    expect(middle.orders).toBe(before.orders + 2);

    const repeated = await batch(userId, [
      limitBuy('100.00', '0.1', { clientOrderId: 'c-2' }),
      limitBuy('100.00', '0.1', { clientOrderId: 'c-1' }),
    ]);
    const repeatedResults = repeated.body.results as unknown as Record<string, unknown>[];
    expect(repeatedResults.map((r) => r.status)).toEqual(['EXISTING', 'EXISTING']);
    expect(repeatedResults[0].orderId).toBe(c2);
    const single = await place(userId, limitBuy('100.00', '0.1', { clientOrderId: 'c-2' }));
    expect(single.status).toBe(200);
    expect(single.body.orderId).toBe(c2);
    expect(await snapshot(userId)).toEqual(middle);
  });

  it('refuses an empty batch, a batch of 1,001 and a malformed entry as a whole, writing nothing', async () => {
    const userId = await newTrader('bounds', '1000000');
    const before = await snapshot(userId);
    const oversized = await batch(
      userId,
      Array.from({ length: 1_001 }, () => limitBuy('100.00', '0.1')),
    );
    expect(oversized.status).toBe(400);
    expect(['VALIDATION_FAILED', 'BATCH_TOO_LARGE']).toContain(oversized.body.code);
    const empty = await batch(userId, []);
    expect(empty.status).toBe(400);
    const malformed = await batch(userId, [
      limitBuy('100.00', '0.1'),
      { ...limitBuy('100.00', '0.1'), note: 'x' },
      { ...limitBuy('100.00', '0.1'), status: 'FILLED' },
    ]);
    expect(malformed.status).toBe(400);
    expect(['UNKNOWN_FIELD', 'FORBIDDEN_FIELD']).toContain(malformed.body.code);
    expect(await snapshot(userId)).toEqual(before);

    const full = await batch(
      userId,
      Array.from({ length: 1_000 }, () => limitBuy('100.00', '0.1')),
    );
    expect(full.status).toBe(200);
    expect(await snapshot(userId)).toMatchObject({
      orders: before.orders + 1_000,
      outbox: before.outbox + 1_000,
      outbox_rows: before.outbox_rows + 1,
      usdt: `${(1_000_000n - 10_000n) * 100_000_000n}/${10_000n * 100_000_000n}`,
    });
    await expectAuditClean(database.dataSource);
  });
});
