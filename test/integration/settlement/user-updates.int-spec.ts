// Proves settlement's user updates stay bounded: one settlement transaction that changes 1 200
// orders of one user (a resting burst, then a cancel of every order) writes several
// `exchange.user-updates` records of at most USER_UPDATE_ORDERS_MAX orders each, which together
// report every order exactly once, with the balances on the last record only. Orders go through
// TX1's SQL, an in-process engine matches them, and settlement runs on real PostgreSQL; each
// record is read with the contract's decoder, as market-data reads it.
import { decodeUserUpdate, USER_UPDATE_ORDERS_MAX } from '@app/messaging';
import { readOutbox } from '@app/testing';
import {
  USER_UPDATES_TOPIC,
  cancel,
  createSettlementFixture,
  createTrader,
  expectAuditClean,
  matchAndSettle,
  placeOrders,
  type SettlementFixture,
} from './settlement-helpers';

const USDT = 100_000_000n;
const ORDERS = 1_200;

describe('settlement user updates of a user with thousands of changed orders', () => {
  let f: SettlementFixture;

  beforeAll(async () => {
    f = await createSettlementFixture('setuserupd');
  });

  afterAll(async () => {
    await f?.database.drop();
  });

  /** The user updates of `userId` in the outbox, in outbox order; then removes them all. */
  const takeUpdatesOf = async (userId: string) => {
    const entries = await readOutbox(f.dataSource, USER_UPDATES_TOPIC);
    await f.dataSource.query(`DELETE FROM outbox WHERE topic = $1`, [USER_UPDATES_TOPIC]);
    return entries
      .map((entry) => ({
        bytes: entry.value.length,
        update: decodeUserUpdate(entry.value),
      }))
      .filter(({ update }) => update.userId === userId);
  };

  it('splits one transaction of 1 200 changed orders into records of at most USER_UPDATE_ORDERS_MAX', async () => {
    const userId = await createTrader(f, { USDT: 1_000_000n * USDT });
    const placed = await placeOrders(
      f,
      Array.from({ length: ORDERS }, (_, i) => ({
        userId,
        symbol: 'BTC-USDT',
        side: 'BUY' as const,
        orderType: 'LIMIT' as const,
        priceTicks: 1_000_000 + i,
        qtyLots: 1_000,
      })),
    );
    expect(placed).toHaveLength(ORDERS);
    await takeUpdatesOf(userId);
    await matchAndSettle(f, placed!);
    const resting = await takeUpdatesOf(userId);
    expect(resting.map(({ update }) => update.orders.length)).toEqual([500, 500, 200]);
    expect(resting.every(({ update }) => update.orders.every((o) => o.status === 'OPEN'))).toBe(
      true,
    );

    const cancels = [];
    for (const order of placed!) cancels.push(await cancel(f, userId, order.orderId, 'BTC-USDT'));
    await matchAndSettle(f, cancels);
    const records = await takeUpdatesOf(userId);
    expect(records.length).toBe(Math.ceil(ORDERS / USER_UPDATE_ORDERS_MAX));
    for (const { update, bytes } of records) {
      expect(update.orders.length).toBeLessThanOrEqual(USER_UPDATE_ORDERS_MAX);
      expect(bytes).toBeLessThan(512 * 1024);
    }
    const reported = records.flatMap(({ update }) => update.orders);
    expect(new Set(reported.map((o) => o.orderId))).toEqual(new Set(placed!.map((o) => o.orderId)));
    expect(reported).toHaveLength(ORDERS);
    expect(reported.every((o) => o.status === 'CANCELLED')).toBe(true);
    // The balances (the released lock) ride on the last record only.
    expect(records.slice(0, -1).every(({ update }) => update.balances.length === 0)).toBe(true);
    expect(records[records.length - 1].update.balances).toEqual([
      expect.objectContaining({ asset: 'USDT', lockedMinor: '0' }),
    ]);
    await expectAuditClean(f.dataSource);
  });
});
