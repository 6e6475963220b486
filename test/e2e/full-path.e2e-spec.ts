// The whole order path through real processes: order-service (HTTP API, TX1, outbox relay,
// settlement) and two matching engines (one active, one standby) on one database and one topic
// prefix. Alice and Bob trade over HTTP with gateway-signed identities; the test checks exact
// balances, fees, the trades row, the API views and the auditor, then a partial fill whose
// remainder is cancelled and released to the minor unit.
import { TOPICS } from '@app/messaging';
import { waitFor } from '@app/testing';
import { Cluster } from './support/full-path';

jest.setTimeout(120_000);

const SCALE = 100_000_000n; // every seed asset has 8 decimals
const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;
const MAKER_PPM = 1_000n;
const TAKER_PPM = 2_000n;

describe('full path: order-service + matching engines as processes', () => {
  const cluster = new Cluster('fullpath');
  const accepted: string[] = [];

  const balances = async (user: string) => {
    const rows = (await cluster.database.dataSource.query(
      `SELECT asset, available::text AS available, locked::text AS locked FROM balances
        WHERE user_id = $1 ORDER BY asset`,
      [cluster.users[user]],
    )) as { asset: string; available: string; locked: string }[];
    return Object.fromEntries(
      rows.map((r) => [r.asset, { available: BigInt(r.available), locked: BigInt(r.locked) }]),
    );
  };
  const feeTotals = async () => {
    const rows = (await cluster.database.dataSource.query(
      `SELECT asset, sum(amount)::text AS total FROM ledger_entries WHERE account = 'FEES'
        GROUP BY asset ORDER BY asset`,
    )) as { asset: string; total: string }[];
    return Object.fromEntries(rows.map((r) => [r.asset, BigInt(r.total)]));
  };
  const orderRow = async (id: string) =>
    (
      (await cluster.database.dataSource.query(
        `SELECT status, filled_lots::text AS filled_lots, filled_quote::text AS filled_quote,
                locked_amount::text AS locked_amount FROM orders WHERE id = $1`,
        [id],
      )) as { status: string; filled_lots: string; filled_quote: string; locked_amount: string }[]
    )[0];
  const place = async (user: string, body: Record<string, unknown>) => {
    const res = await cluster.request(user, 'POST', '/api/v1/orders', { type: 'LIMIT', ...body });
    expect(res.status).toBe(201);
    accepted.push(res.body.orderId);
    return res.body.orderId as string;
  };
  const waitStatus = (id: string, statuses: string[]) =>
    waitFor(
      `order ${id} to be ${statuses.join('/')}`,
      async () => statuses.includes((await orderRow(id))?.status),
      30_000,
      async () => `${JSON.stringify(await orderRow(id))}\n${cluster.engineLogs()}`,
    );

  beforeAll(async () => {
    await cluster.setUp();
    await cluster.startOrderService();
    await cluster.startEngine('a');
    await cluster.waitLeader();
    await cluster.startEngine('b');
  });

  afterAll(async () => {
    await cluster.tearDown();
  });

  it('runs one engine active and the other standby', async () => {
    const leader = await cluster.waitLeader();
    expect(leader.name).toBe('a');
    const b = cluster.engines.get('b')!;
    const live = await b.get('/health/live');
    expect(live.status).toBe(200);
    expect(JSON.stringify(live.body)).toContain('standby');
  });

  it('matches crossing limit orders and settles them to the minor unit', async () => {
    const before = { alice: await balances('alice'), bob: await balances('bob') };
    // Alice's sell rests (maker); Bob's buy crosses at a higher limit and trades at her price.
    const sell = await place('alice', {
      symbol: 'BTC-USDT',
      side: 'SELL',
      price: '30000.01',
      quantity: '0.00123',
    });
    await waitStatus(sell, ['OPEN']);
    const buy = await place('bob', {
      symbol: 'BTC-USDT',
      side: 'BUY',
      price: '30010.00',
      quantity: '0.00123',
    });
    await waitStatus(buy, ['FILLED']);
    await waitStatus(sell, ['FILLED']);
    await cluster.waitQuiescent();

    const baseMinor = 123_000n; // 0.00123 BTC
    const quoteMinor = (3_000_001n * 123n * SCALE) / 100n / 100_000n; // 30000.01 x 0.00123
    expect(quoteMinor).toBe(3_690_001_230n);
    const makerFee = ceilDiv(quoteMinor * MAKER_PPM, 1_000_000n); // Alice receives USDT
    const takerFee = ceilDiv(baseMinor * TAKER_PPM, 1_000_000n); // Bob receives BTC
    expect(makerFee).toBe(3_690_002n); // rounded up from 3 690 001.23
    expect(takerFee).toBe(246n);

    const after = { alice: await balances('alice'), bob: await balances('bob') };
    expect(after.alice.BTC).toEqual({
      available: before.alice.BTC.available - baseMinor,
      locked: 0n,
    });
    expect(after.alice.USDT).toEqual({
      available: before.alice.USDT.available + quoteMinor - makerFee,
      locked: 0n,
    });
    expect(after.bob.BTC).toEqual({
      available: before.bob.BTC.available + baseMinor - takerFee,
      locked: 0n,
    });
    // Bob locked 30010.00 x 0.00123 and paid 30000.01 x 0.00123: the difference came back.
    expect(after.bob.USDT).toEqual({
      available: before.bob.USDT.available - quoteMinor,
      locked: 0n,
    });
    expect(await feeTotals()).toEqual({ BTC: takerFee, USDT: makerFee });
    // The fees user's revenue is in the FEES account, not in a spendable balance.
    const feesBalances = await balances('fees');
    for (const b of Object.values(feesBalances)) expect(b).toEqual({ available: 0n, locked: 0n });

    const trades = (await cluster.database.dataSource.query(
      `SELECT symbol, trade_seq::text AS trade_seq, price_ticks::text AS price_ticks,
              qty_lots::text AS qty_lots, quote_amount::text AS quote_amount,
              maker_order_id::text AS maker_order_id, taker_order_id::text AS taker_order_id,
              maker_user_id::text AS maker_user_id, taker_user_id::text AS taker_user_id,
              taker_side, maker_fee::text AS maker_fee, maker_fee_asset,
              taker_fee::text AS taker_fee, taker_fee_asset
         FROM trades`,
    )) as Record<string, string>[];
    expect(trades).toEqual([
      {
        symbol: 'BTC-USDT',
        trade_seq: '1',
        price_ticks: '3000001',
        qty_lots: '123',
        quote_amount: quoteMinor.toString(),
        maker_order_id: sell,
        taker_order_id: buy,
        maker_user_id: cluster.users.alice,
        taker_user_id: cluster.users.bob,
        taker_side: 'BUY',
        maker_fee: makerFee.toString(),
        maker_fee_asset: 'USDT',
        taker_fee: takerFee.toString(),
        taker_fee_asset: 'BTC',
      },
    ]);

    const aliceTrades = await cluster.request('alice', 'GET', '/api/v1/trades/mine');
    expect(aliceTrades.status).toBe(200);
    expect(aliceTrades.body.items).toEqual([
      expect.objectContaining({
        symbol: 'BTC-USDT',
        tradeSeq: '1',
        orderId: sell,
        side: 'SELL',
        liquidity: 'MAKER',
        price: '30000.01',
        quantity: '0.00123',
        quoteAmount: '36.90001230',
        fee: '0.03690002',
        feeAsset: 'USDT',
      }),
    ]);
    const bobTrades = await cluster.request('bob', 'GET', '/api/v1/trades/mine');
    expect(bobTrades.status).toBe(200);
    expect(bobTrades.body.items).toEqual([
      expect.objectContaining({
        symbol: 'BTC-USDT',
        tradeSeq: '1',
        orderId: buy,
        side: 'BUY',
        liquidity: 'TAKER',
        price: '30000.01',
        quantity: '0.00123',
        quoteAmount: '36.90001230',
        fee: '0.00000246',
        feeAsset: 'BTC',
      }),
    ]);
    const buyView = await cluster.request('bob', 'GET', `/api/v1/orders/${buy}`);
    expect(buyView.body).toEqual(
      expect.objectContaining({
        status: 'FILLED',
        filledQuantity: '0.00123',
        lockedAmount: '0.00000000',
      }),
    );

    const audit = await cluster.request('admin', 'GET', '/api/v1/admin/audit');
    expect(audit.status).toBe(200);
    expect(audit.body).toEqual(expect.objectContaining({ ok: true, violations: 0 }));
    await cluster.expectConsistent(accepted);
  });

  it('partially fills a resting order and releases exactly the cancelled remainder', async () => {
    const before = { alice: await balances('alice'), bob: await balances('bob') };
    const feesBefore = await feeTotals();
    // Bob bids 0.5 ETH at 2000.00 (locks 1000 USDT); Alice sells 0.2 ETH at 1999.00 into it.
    const bid = await place('bob', {
      symbol: 'ETH-USDT',
      side: 'BUY',
      price: '2000.00',
      quantity: '0.5000',
    });
    await waitStatus(bid, ['OPEN']);
    expect((await balances('bob')).USDT).toEqual({
      available: before.bob.USDT.available - 1_000n * SCALE,
      locked: 1_000n * SCALE,
    });
    const ask = await place('alice', {
      symbol: 'ETH-USDT',
      side: 'SELL',
      price: '1999.00',
      quantity: '0.2000',
    });
    await waitStatus(ask, ['FILLED']);
    await waitStatus(bid, ['PARTIALLY_FILLED']);
    await cluster.waitQuiescent();
    expect(await orderRow(bid)).toEqual({
      status: 'PARTIALLY_FILLED',
      filled_lots: '2000',
      filled_quote: (400n * SCALE).toString(),
      locked_amount: (600n * SCALE).toString(),
    });
    expect((await balances('bob')).USDT).toEqual({
      available: before.bob.USDT.available - 1_000n * SCALE,
      locked: 600n * SCALE,
    });

    const cancel = await cluster.request('bob', 'DELETE', `/api/v1/orders/${bid}`);
    expect(cancel.status).toBe(202);
    await waitStatus(bid, ['CANCELLED']);
    await cluster.waitQuiescent();

    const quote = 400n * SCALE; // 0.2 ETH at 2000.00
    const base = 20_000_000n; // 0.2 ETH
    const bobFee = ceilDiv(base * MAKER_PPM, 1_000_000n); // maker, receives ETH
    const aliceFee = ceilDiv(quote * TAKER_PPM, 1_000_000n); // taker, receives USDT
    const after = { alice: await balances('alice'), bob: await balances('bob') };
    expect(after.bob.USDT).toEqual({ available: before.bob.USDT.available - quote, locked: 0n });
    expect(after.bob.ETH).toEqual({
      available: before.bob.ETH.available + base - bobFee,
      locked: 0n,
    });
    expect(after.alice.ETH).toEqual({
      available: before.alice.ETH.available - base,
      locked: 0n,
    });
    expect(after.alice.USDT).toEqual({
      available: before.alice.USDT.available + quote - aliceFee,
      locked: 0n,
    });
    expect(await orderRow(bid)).toEqual({
      status: 'CANCELLED',
      filled_lots: '2000',
      filled_quote: quote.toString(),
      locked_amount: '0',
    });
    const fees = await feeTotals();
    expect(fees).toEqual({
      ...feesBefore,
      ETH: (feesBefore.ETH ?? 0n) + bobFee,
      USDT: feesBefore.USDT + aliceFee,
    });
    // The release is one UNLOCK of exactly the open remainder: 0.3 ETH x 2000.00 = 600 USDT.
    const unlocks = (await cluster.database.dataSource.query(
      `SELECT account, amount::text AS amount FROM ledger_entries
        WHERE reason = 'UNLOCK' AND ref_id = $1 ORDER BY account`,
      [bid],
    )) as { account: string; amount: string }[];
    expect(unlocks).toEqual([
      { account: 'AVAILABLE', amount: (600n * SCALE).toString() },
      { account: 'LOCKED', amount: (-600n * SCALE).toString() },
    ]);

    const leader = await cluster.waitLeader();
    expect(leader.state.symbols['ETH-USDT'].openOrders).toBe(0);
    await cluster.expectConsistent(accepted);
    // Results topic in use: the consistency check read it.
    expect(cluster.topic(TOPICS.engineResults.logical)).toContain(cluster.runId);
  });
});
