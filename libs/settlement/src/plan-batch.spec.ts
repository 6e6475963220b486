// Proves the settlement plan's arithmetic without a database: a real engine's results become ledger entries that sum to zero per asset, balance deltas that match them, and order changes whose lock arithmetic closes; fees in the received asset, rounded up.
import { MatchingEngine, type PlaceOrderCommand } from '@app/domain';
import { dbOrderStatus } from './order-status';
import { planBatch } from './plan-batch';

const MARKET = {
  symbol: 'BTC-USDT',
  baseAsset: 'BTC',
  quoteAsset: 'USDT',
  baseScale: 8,
  quoteScale: 8,
  tickSize: '0.01',
  stepSize: '0.00001',
  minQty: '0.00001',
  maxQty: '1000',
  minNotional: '5',
  makerFeePpm: 1_000,
  takerFeePpm: 2_000,
  status: 'TRADING' as const,
};
const FEES = 'fees-user';

function placeCmd(n: number, over: Partial<PlaceOrderCommand>): PlaceOrderCommand {
  return {
    type: 'place',
    commandId: `c${n}`,
    orderId: `o${n}`,
    timestampMs: n,
    userId: `u${n}`,
    symbol: 'BTC-USDT',
    side: 'BUY',
    orderType: 'LIMIT',
    priceTicks: 3_000_000,
    qtyLots: 1_000,
    ...over,
  };
}

describe('planBatch', () => {
  it('moves exact amounts with fees in the received asset, and every asset nets to zero', () => {
    const engine = new MatchingEngine({ markets: [MARKET] });
    const results = [
      engine.apply(placeCmd(1, { side: 'SELL', qtyLots: 1_000 })),
      // Taker buy at a better limit: price improvement is released.
      engine.apply(placeCmd(2, { side: 'BUY', priceTicks: 3_000_003, qtyLots: 1_000 })),
    ];
    const plan = planBatch(results, FEES);
    const totals = new Map<string, bigint>();
    for (const e of plan.ledger) totals.set(e.asset, (totals.get(e.asset) ?? 0n) + e.amountMinor);
    expect([...totals.values()]).toEqual([0n, 0n]);
    expect(new Set(plan.ledger.map((e) => e.journalId)).size).toBe(1);

    // quote = 3 000 000 x 1 000 x 10 = 30 000 000 000; base = 1 000 000.
    const fee = (asset: string) =>
      plan.ledger.filter((e) => e.account === 'FEES' && e.asset === asset)[0]?.amountMinor;
    expect(fee('BTC')).toBe(2_000n); // taker 0.2 % of 1 000 000
    expect(fee('USDT')).toBe(30_000_000n); // maker 0.1 % of 30 000 000 000
    expect(plan.balances.get('u2 USDT')).toEqual({
      userId: 'u2',
      asset: 'USDT',
      availableMinor: 30_000n, // 3 ticks x 1 000 lots x 10 released
      lockedMinor: -30_000_030_000n,
    });
    expect(plan.balances.get('u2 BTC')?.availableMinor).toBe(998_000n);
    const taker = plan.orders.get('o2');
    expect(taker).toMatchObject({
      status: 'FILLED',
      spentMinor: 30_000_000_000n,
      releasedMinor: 30_000n,
      lockRemainingMinor: 0n,
    });
  });

  it('maps the engine NEW (resting) to OPEN and keeps the other statuses', () => {
    expect(dbOrderStatus('NEW')).toBe('OPEN');
    expect(dbOrderStatus('PENDING_TRIGGER')).toBe('PENDING_TRIGGER');
    expect(dbOrderStatus('EXPIRED')).toBe('EXPIRED');
  });

  it('plans nothing for a duplicate', () => {
    const engine = new MatchingEngine({ markets: [MARKET] });
    const cmd = placeCmd(1, {});
    engine.apply(cmd);
    const plan = planBatch([engine.apply(cmd)], FEES);
    expect(plan.ledger).toEqual([]);
    expect(plan.orders.size).toBe(0);
  });
});
