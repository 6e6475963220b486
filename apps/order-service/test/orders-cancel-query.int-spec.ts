// Proves the commands TX1 queues and the order queries, in-process on real PostgreSQL: a place
// command decodes to exactly the order's integers and lock cap, a cancel (by id, by client id)
// queues one command however often it is repeated, cancel-all one cancel per order not yet
// cancel-requested, and paging walks every order once with symbol and time filters.
import { decodeCommand } from '@app/domain';
import { OutboxRelayService } from '@app/outbox';
import { createTestDatabase, expectAuditClean, readOutbox, type TestDatabase } from '@app/testing';
import { createTestApp, type TestApp } from './support/test-app';

interface OutboxCommand {
  readonly key: string;
  readonly commandId: string;
  readonly command: Record<string, unknown>;
}

describe('orders: commands queued and queries (in-process, real PostgreSQL)', () => {
  let database: TestDatabase;
  let service: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase('ordcmd', { seed: true, poolSizeMax: 2 });
    service = await createTestApp(database.url);
    // The outbox is read here; the relay would delete rows once published.
    await service.app.get(OutboxRelayService).onApplicationShutdown();
  });

  afterAll(async () => {
    await service?.close();
    await database?.drop();
  });

  const call = (userId: string, method: string, url: string, body?: unknown) =>
    service.request({ method, url, body, headers: service.identity(userId, method, url) });

  async function newTrader(name: string): Promise<string> {
    const created = await service.request({
      method: 'POST',
      url: '/api/v1/admin/users',
      headers: service.admin(),
      body: { name },
    });
    const userId = created.body.id as string;
    for (const [asset, amount] of [
      ['USDT', '100000'],
      ['BTC', '10'],
    ]) {
      await service.request({
        method: 'POST',
        url: '/api/v1/admin/deposits',
        headers: service.admin(),
        body: { userId, asset, amount },
      });
    }
    return userId;
  }

  /** The user's queued engine commands, decoded, in outbox order. */
  async function commandsOf(userId: string): Promise<OutboxCommand[]> {
    const entries = await readOutbox(database.dataSource);
    return entries
      .map((entry) => ({
        key: entry.key as string,
        commandId: entry.headers['x-command-id'],
        command: decodeCommand(JSON.parse(entry.value.toString('utf8'))) as unknown as Record<
          string,
          unknown
        >,
      }))
      .filter((c) => c.command.userId === userId);
  }

  it('queues one place command holding exactly the order integers and lock cap', async () => {
    const userId = await newTrader('placer');
    const limit = await call(userId, 'POST', '/api/v1/orders', {
      symbol: 'BTC-USDT',
      side: 'BUY',
      type: 'LIMIT',
      price: '30000.25',
      quantity: '0.01234',
      timeInForce: 'IOC',
      stp: 'EXPIRE_TAKER',
      clientOrderId: 'p-1',
    });
    expect(limit.status).toBe(201);
    const market = await call(userId, 'POST', '/api/v1/orders', {
      symbol: 'BTC-USDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.5',
      maxQuote: '20000',
    });
    expect(market.status).toBe(201);
    const commands = await commandsOf(userId);
    expect(commands).toHaveLength(2);
    const [row] = await database.dataSource.query(
      `SELECT price_ticks::text AS p, qty_lots::text AS q, locked_amount::text AS l FROM orders WHERE id = $1`,
      [limit.body.orderId],
    );
    expect(row).toEqual({ p: '3000025', q: '1234', l: String(3000025n * 1234n * 10n) });
    expect(commands[0]).toEqual({
      key: 'BTC-USDT',
      commandId: limit.body.orderId,
      command: expect.objectContaining({
        type: 'place',
        commandId: limit.body.orderId,
        orderId: limit.body.orderId,
        userId,
        symbol: 'BTC-USDT',
        side: 'BUY',
        orderType: 'LIMIT',
        timeInForce: 'IOC',
        postOnly: false,
        stpMode: 'EXPIRE_TAKER',
        clientOrderId: 'p-1',
        priceTicks: 3000025,
        qtyLots: 1234,
      }),
    });
    expect(commands[0].command.quoteCapMinor ?? 3000025n * 1234n * 10n).toBe(
      3000025n * 1234n * 10n,
    );
    expect(commands[1].command).toEqual(
      expect.objectContaining({
        type: 'place',
        orderId: market.body.orderId,
        orderType: 'MARKET',
        qtyLots: 50000,
        quoteCapMinor: 20000n * 100_000_000n,
      }),
    );
    expect(market.body.lockedAmount).toBe('20000.00000000');
  });

  it('marks cancel_requested and queues one cancel command, by id and by client id, however often repeated', async () => {
    const userId = await newTrader('canceller');
    const order = (clientOrderId: string) =>
      call(userId, 'POST', '/api/v1/orders', {
        symbol: 'BTC-USDT',
        side: 'SELL',
        type: 'LIMIT',
        price: '50000.00',
        quantity: '0.1',
        clientOrderId,
      });
    const a = await order('k-a');
    const b = await order('k-b');
    const baseline = (await commandsOf(userId)).length;

    for (let i = 0; i < 3; i += 1) {
      const byId = await call(userId, 'DELETE', `/api/v1/orders/${a.body.orderId}`);
      expect(byId.status).toBe(202);
      expect(byId.body).toMatchObject({ orderId: a.body.orderId, cancelRequested: true });
      const byClient = await call(userId, 'DELETE', '/api/v1/orders/by-client-id/k-b');
      expect(byClient.status).toBe(202);
      expect(byClient.body).toMatchObject({ orderId: b.body.orderId, cancelRequested: true });
    }
    const cancels = (await commandsOf(userId)).slice(baseline);
    expect(cancels.map((c) => [c.command.type, c.command.orderId, c.key])).toEqual([
      ['cancel', a.body.orderId, 'BTC-USDT'],
      ['cancel', b.body.orderId, 'BTC-USDT'],
    ]);
    for (const c of cancels) expect(c.commandId).toBe(c.command.commandId);
    const [{ n }] = await database.dataSource.query(
      `SELECT count(*)::int AS n FROM orders WHERE user_id = $1 AND cancel_requested`,
      [userId],
    );
    expect(n).toBe(2);
    const unknown = await call(userId, 'DELETE', '/api/v1/orders/by-client-id/nope');
    expect(unknown.status).toBe(404);
  });

  it('cancel-all queues one cancel per live order not yet cancel-requested (a bounded result each)', async () => {
    const userId = await newTrader('sweeper');
    const orders = [
      ['BTC-USDT', '100.00', '0.1'],
      ['BTC-USDT', '101.00', '0.1'],
      ['ETH-USDT', '100.00', '0.1'],
    ];
    const placedIds: string[] = [];
    for (const [symbol, price, quantity] of orders) {
      const placed = await call(userId, 'POST', '/api/v1/orders', {
        symbol,
        side: 'BUY',
        type: 'LIMIT',
        price,
        quantity,
      });
      expect(placed.status).toBe(201);
      placedIds.push(String(placed.body.orderId));
    }
    // One already cancel-requested: cancel-all marks it again but queues nothing more for it.
    expect((await call(userId, 'DELETE', `/api/v1/orders/${placedIds[1]}`)).status).toBe(202);
    const baseline = (await commandsOf(userId)).length;
    const response = await call(userId, 'DELETE', '/api/v1/orders');
    expect(response.status).toBe(202);
    expect(response.body).toHaveLength(3);
    const queued = (await commandsOf(userId)).slice(baseline);
    expect(queued.map((c) => [c.command.type, c.command.symbol, c.key, c.command.orderId])).toEqual(
      [
        ['cancel', 'BTC-USDT', 'BTC-USDT', placedIds[0]],
        ['cancel', 'ETH-USDT', 'ETH-USDT', placedIds[2]],
      ],
    );
    for (const c of queued) expect(c.commandId).toBe(c.command.commandId);
    // Everything is cancel-requested now: a second cancel-all queues nothing.
    const oneMarket = await call(userId, 'DELETE', '/api/v1/orders?symbol=ETH-USDT');
    expect(oneMarket.status).toBe(202);
    expect(oneMarket.body).toHaveLength(1);
    expect((await commandsOf(userId)).slice(baseline + 2)).toEqual([]);
    const unknown = await call(userId, 'DELETE', '/api/v1/orders?symbol=DOGE-USDT');
    expect(unknown.body.code).toBe('UNKNOWN_MARKET');
    await expectAuditClean(database.dataSource);
  });

  it('gets one order, lists open and history, and pages with cursors without duplicates or gaps', async () => {
    const userId = await newTrader('pager');
    const placedIds: string[] = [];
    const batch = await call(userId, 'POST', '/api/v1/orders/batch', {
      orders: Array.from({ length: 25 }, (_, i) => ({
        symbol: i % 5 === 0 ? 'ETH-USDT' : 'BTC-USDT',
        side: 'BUY',
        type: 'LIMIT',
        price: `${100 + i}.00`,
        quantity: '0.1',
      })),
    });
    for (const r of batch.body.results as unknown as { orderId: string }[])
      placedIds.push(r.orderId);
    const middle = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (let i = 0; i < 7; i += 1) {
      const placed = await call(userId, 'POST', '/api/v1/orders', {
        symbol: 'BTC-USDT',
        side: 'BUY',
        type: 'LIMIT',
        price: '90.00',
        quantity: '0.1',
      });
      placedIds.push(placed.body.orderId as string);
    }
    const cancelled = placedIds[3];
    await database.dataSource.query(
      `UPDATE orders SET status = 'OPEN' WHERE user_id = $1 AND id <> $2`,
      [userId, cancelled],
    );

    const one = await call(userId, 'GET', `/api/v1/orders/${placedIds[0]}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ orderId: placedIds[0], symbol: 'ETH-USDT', price: '100.00' });

    async function walk(path: string, limit: number): Promise<string[]> {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 100; pages += 1) {
        const sep = path.includes('?') ? '&' : '?';
        const url = `${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await call(userId, 'GET', url);
        expect(page.status).toBe(200);
        const items = page.body.items as unknown as { orderId: string; createdAt: string }[];
        expect(items.length).toBeLessThanOrEqual(limit);
        seen.push(...items.map((o) => o.orderId));
        cursor = page.body.nextCursor as unknown as string | null;
        if (cursor === null) return seen;
      }
      throw new Error('paging did not end');
    }

    const history = await walk('/api/v1/orders/history', 4);
    expect(history).toHaveLength(placedIds.length);
    expect(new Set(history)).toEqual(new Set(placedIds));
    const open = await walk('/api/v1/orders/open', 3);
    expect(open).toHaveLength(placedIds.length);
    // Settlement has not run, so every order is live: cancel_requested does not end an order.
    await database.dataSource.query(
      `UPDATE orders SET status = 'CANCELLED', locked_amount = 0 WHERE id = $1`,
      [cancelled],
    );
    const openAfter = await walk('/api/v1/orders/open', 5);
    expect(new Set(openAfter)).toEqual(new Set(placedIds.filter((id) => id !== cancelled)));
    const eth = await walk('/api/v1/orders/history?symbol=ETH-USDT', 2);
    expect(new Set(eth)).toEqual(new Set([0, 5, 10, 15, 20].map((i) => placedIds[i])));
    const late = await walk(`/api/v1/orders/history?from=${middle.toISOString()}`, 3);
    expect(new Set(late)).toEqual(new Set(placedIds.slice(25)));
    const early = await walk(`/api/v1/orders/history?to=${middle.toISOString()}`, 10);
    expect(new Set(early)).toEqual(new Set(placedIds.slice(0, 25)));
    const badCursor = await call(userId, 'GET', '/api/v1/orders/history?cursor=xyz');
    expect(badCursor.status).toBe(400);
    const trades = await call(userId, 'GET', '/api/v1/trades/mine');
    expect(trades.body).toEqual({ items: [], nextCursor: null });
  });
});
