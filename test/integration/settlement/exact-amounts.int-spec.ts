// Proves settlement's exact minor-unit amounts (price improvement, partial fills, cancel after a partial fill, market buy by quote, fee rounding up, stale fencing token) by placing orders through TX1's SQL, matching them in an in-process engine and settling the results on real PostgreSQL; every test ends with a clean audit.
import { MatchingEngine } from '@app/domain';
import {
  balanceOf,
  cancel,
  createSettlementFixture,
  createTrader,
  expectAuditClean,
  feesOf,
  matchAndSettle,
  orderRow,
  place,
  settleDirect,
  snapshotState,
  type SettlementFixture,
} from './settlement-helpers';

const USDT = 100_000_000n; // minor units per USDT (scale 8)
const BTC = 100_000_000n;

describe('settlement amounts (BTC-USDT: 1 lot = 1 000 minor BTC, 1 tick x 1 lot = 10 minor USDT; maker 0.1 %, taker 0.2 %)', () => {
  let f: SettlementFixture;
  let buyer: string;
  let seller: string;

  beforeAll(async () => {
    f = await createSettlementFixture('setamounts');
  });

  afterAll(async () => {
    await f?.database.drop();
  });

  beforeEach(async () => {
    buyer = await createTrader(f, { USDT: 100_000n * USDT });
    seller = await createTrader(f, { BTC: 10n * BTC });
  });

  afterEach(async () => {
    await expectAuditClean(f.dataSource);
  });

  it('price improvement: a taker buy at 31 000 filled at the maker 30 000 gets 1 000 USDT back', async () => {
    const sell = await place(f, {
      userId: seller,
      symbol: 'BTC-USDT',
      side: 'SELL',
      orderType: 'LIMIT',
      priceTicks: 3_000_000,
      qtyLots: 10_000,
    });
    const buy = await place(f, {
      userId: buyer,
      symbol: 'BTC-USDT',
      side: 'BUY',
      orderType: 'LIMIT',
      priceTicks: 3_100_000,
      qtyLots: 10_000,
    });
    await matchAndSettle(f, [sell, buy]);

    // 0.1 BTC for 3 000 USDT; locked 3 100 USDT, 100 USDT released.
    expect(await balanceOf(f, buyer, 'USDT')).toEqual({ available: 97_000n * USDT, locked: 0n });
    // Taker fee 0.2 % of 0.1 BTC = 0.0002 BTC = 20 000 minor.
    expect(await balanceOf(f, buyer, 'BTC')).toEqual({ available: 9_980_000n, locked: 0n });
    expect(await balanceOf(f, seller, 'BTC')).toEqual({
      available: 10n * BTC - 10_000_000n,
      locked: 0n,
    });
    // Maker fee 0.1 % of 3 000 USDT = 3 USDT.
    expect(await balanceOf(f, seller, 'USDT')).toEqual({ available: 2_997n * USDT, locked: 0n });
    expect(await orderRow(f, buy.orderId)).toMatchObject({
      status: 'FILLED',
      filled_lots: '10000',
      filled_quote: '300000000000',
      locked_amount: '0',
      fee_paid: '20000',
    });
    expect(await orderRow(f, sell.orderId)).toMatchObject({
      status: 'FILLED',
      fee_paid: '300000000',
    });
  });

  it('partial fill, then cancel: the maker keeps exactly the unfilled base locked, then gets it back', async () => {
    const sell = await place(f, {
      userId: seller,
      symbol: 'BTC-USDT',
      side: 'SELL',
      orderType: 'LIMIT',
      priceTicks: 3_000_000,
      qtyLots: 10_000,
    });
    const buy = await place(f, {
      userId: buyer,
      symbol: 'BTC-USDT',
      side: 'BUY',
      orderType: 'LIMIT',
      priceTicks: 3_000_000,
      qtyLots: 4_000,
    });
    await matchAndSettle(f, [sell, buy]);
    expect(await orderRow(f, sell.orderId)).toMatchObject({
      status: 'PARTIALLY_FILLED',
      filled_lots: '4000',
      locked_amount: '6000000',
    });
    expect(await balanceOf(f, seller, 'BTC')).toEqual({
      available: 10n * BTC - 10_000_000n,
      locked: 6_000_000n,
    });
    await expectAuditClean(f.dataSource, 'after the partial fill');

    await matchAndSettle(f, [await cancel(f, seller, sell.orderId, 'BTC-USDT')]);
    expect(await orderRow(f, sell.orderId)).toMatchObject({
      status: 'CANCELLED',
      filled_lots: '4000',
      locked_amount: '0',
    });
    expect(await balanceOf(f, seller, 'BTC')).toEqual({
      available: 10n * BTC - 4_000_000n,
      locked: 0n,
    });
    // 1 200 USDT received, maker fee 1.2 USDT.
    expect(await balanceOf(f, seller, 'USDT')).toEqual({
      available: 1_200n * USDT - 120_000_000n,
      locked: 0n,
    });
  });

  it('market buy by quote: spends whole lots only and releases the rest of the quote', async () => {
    const sell = await place(f, {
      userId: seller,
      symbol: 'BTC-USDT',
      side: 'SELL',
      orderType: 'LIMIT',
      priceTicks: 3_000_000,
      qtyLots: 10_000,
    });
    const buy = await place(f, {
      userId: buyer,
      symbol: 'BTC-USDT',
      side: 'BUY',
      orderType: 'MARKET',
      quoteAmountMinor: 100n * USDT,
    });
    await matchAndSettle(f, [sell, buy]);
    // One lot costs 30 000 000 minor (0.3 USDT): 333 lots = 99.9 USDT; 0.1 USDT released.
    const row = await orderRow(f, buy.orderId);
    expect(row).toMatchObject({
      filled_lots: '333',
      filled_quote: '9990000000',
      locked_amount: '0',
    });
    expect(['FILLED', 'EXPIRED']).toContain(row.status);
    expect(await balanceOf(f, buyer, 'USDT')).toEqual({
      available: 100_000n * USDT - 9_990_000_000n,
      locked: 0n,
    });
    // 333 000 minor BTC, taker fee 0.2 % = 666.
    expect(await balanceOf(f, buyer, 'BTC')).toEqual({ available: 333_000n - 666n, locked: 0n });
    // Leave the book empty for the next test.
    await matchAndSettle(f, [await cancel(f, seller, sell.orderId, 'BTC-USDT')]);
    expect(await balanceOf(f, seller, 'BTC')).toEqual({
      available: 10n * BTC - 333_000n,
      locked: 0n,
    });
  });

  it("fee rounding: fractional fees round up to the next minor unit, in the exchange's favour", async () => {
    const usdtFees = await feesOf(f, 'USDT');
    const btcFees = await feesOf(f, 'BTC');
    const buy = await place(f, {
      userId: buyer,
      symbol: 'BTC-USDT',
      side: 'BUY',
      orderType: 'LIMIT',
      priceTicks: 3_000_003,
      qtyLots: 101,
    });
    const sell = await place(f, {
      userId: seller,
      symbol: 'BTC-USDT',
      side: 'SELL',
      orderType: 'LIMIT',
      priceTicks: 3_000_003,
      qtyLots: 101,
    });
    await matchAndSettle(f, [buy, sell]);
    // quote = 3 000 003 x 101 x 10 = 3 030 003 030; taker (seller) fee 0.2 % = 6 060 006.06 -> 6 060 007.
    expect(await feesOf(f, 'USDT')).toBe(usdtFees + 6_060_007n);
    expect(await balanceOf(f, seller, 'USDT')).toEqual({
      available: 3_030_003_030n - 6_060_007n,
      locked: 0n,
    });
    // base = 101 000; maker (buyer) fee 0.1 % = 101 exactly.
    expect(await feesOf(f, 'BTC')).toBe(btcFees + 101n);
    expect(await balanceOf(f, buyer, 'BTC')).toEqual({ available: 101_000n - 101n, locked: 0n });
  });

  it('a result naming an order the database does not have fails the whole batch and changes nothing', async () => {
    const before = await snapshotState(f.dataSource);
    const ghost = {
      ...(await place(f, {
        userId: seller,
        symbol: 'BTC-USDT',
        side: 'SELL',
        orderType: 'LIMIT',
        priceTicks: 4_000_000,
        qtyLots: 1_000,
      })),
    };
    const after = await snapshotState(f.dataSource);
    const result = new MatchingEngine({ markets: [...f.markets.values()] }).apply({
      ...ghost,
      orderId: '00000000-0000-4000-8000-00000000dead',
      commandId: 'ghost-command',
    });
    await expect(settleDirect(f, [result])).rejects.toMatchObject({ code: 'UNKNOWN_ORDER' });
    expect(await snapshotState(f.dataSource)).toEqual(after);
    expect(after).not.toEqual(before);
    // Settle the real order so the engine and the database agree again.
    await matchAndSettle(f, [ghost, await cancel(f, seller, ghost.orderId, 'BTC-USDT')]);
  });

  it('a stale fencing token is rejected, counted, and changes nothing', async () => {
    const sell = await place(f, {
      userId: seller,
      symbol: 'BTC-USDT',
      side: 'SELL',
      orderType: 'LIMIT',
      priceTicks: 3_000_000,
      qtyLots: 1_000,
    });
    f.token = 7n;
    await matchAndSettle(f, [sell]);
    const buy = await place(f, {
      userId: buyer,
      symbol: 'BTC-USDT',
      side: 'BUY',
      orderType: 'LIMIT',
      priceTicks: 3_000_000,
      qtyLots: 1_000,
    });
    const before = await snapshotState(f.dataSource);
    f.token = 6n; // the old leader
    const outcome = await settleDirect(f, [f.engine.apply(buy)]);
    expect(outcome).toMatchObject({ applied: 0, stale: 1, trades: 0 });
    expect(await snapshotState(f.dataSource)).toEqual(before);
    const [fencing] = (await f.dataSource.query(
      `SELECT max_fencing_token::text AS token, stale_rejected_total::int AS stale FROM settlement_shard_fencing WHERE shard = 0`,
    )) as { token: string; stale: number }[];
    expect(fencing.token).toBe('7');
    expect(fencing.stale).toBeGreaterThanOrEqual(1);
    expect(await orderRow(f, buy.orderId)).toMatchObject({ status: 'NEW' });
    f.token = 7n;
    // The rejected result leaves the buy NEW with its lock: the audit still holds.
  });
});
