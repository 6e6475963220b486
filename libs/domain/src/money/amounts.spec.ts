// Proves the money helpers: exact notional, fees rounded up by less than one minor unit (number
// and bigint paths agree), and the lock of every order kind.
import fc from 'fast-check';
import { BTC_USDT } from '../testing/markets';
import {
  baseMinor,
  bigintOf,
  feeMinor,
  feeOfNumber,
  lockForOrder,
  lockForRemaining,
  notionalMinor,
} from './amounts';

describe('money helpers', () => {
  it('computes notional exactly, beyond safe integers too', () => {
    expect(notionalMinor(BTC_USDT, 6_000_000, 100_000)).toBe(6_000_000_000_000n); // 60,000 USDT x 1 BTC
    expect(notionalMinor(BTC_USDT, Number.MAX_SAFE_INTEGER, 3)).toBe(
      BigInt(Number.MAX_SAFE_INTEGER) * 30n,
    );
    expect(baseMinor(BTC_USDT, 100_000)).toBe(100_000_000n);
  });

  it('converts every safe integer exactly, on both sides of the 32-bit boundary', () => {
    const edges = [0, 1, -1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32 + 5];
    for (const value of [...edges, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]) {
      expect(bigintOf(value)).toBe(BigInt(value));
    }
    fc.assert(
      fc.property(fc.maxSafeInteger(), (value) => {
        expect(bigintOf(value)).toBe(BigInt(value));
      }),
    );
  });

  it('rounds fees up, in the exchange favour, by less than one minor unit', () => {
    expect(feeMinor(1_000_000n, 2_000)).toBe(2_000n);
    expect(feeMinor(1n, 2_000)).toBe(1n);
    expect(feeMinor(0n, 2_000)).toBe(0n);
    expect(feeMinor(123n, 0)).toBe(0n);
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 70n }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (amount, rate) => {
          const fee = feeMinor(amount, rate);
          const exact = amount * BigInt(rate);
          expect(fee * 1_000_000n >= exact).toBe(true);
          expect((fee - 1n) * 1_000_000n < exact).toBe(true);
        },
      ),
    );
  });

  it('gives the same fee through the number path', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (amount, rate) => {
          expect(feeOfNumber(amount, rate)).toBe(feeMinor(BigInt(amount), rate));
        },
      ),
    );
  });

  it('locks what each kind of order can spend', () => {
    expect(
      lockForOrder(BTC_USDT, {
        side: 'SELL',
        orderType: 'LIMIT',
        priceTicks: 6_000_000,
        qtyLots: 10,
      }),
    ).toEqual({ asset: 'BTC', amountMinor: 10_000n });
    expect(
      lockForOrder(BTC_USDT, {
        side: 'BUY',
        orderType: 'LIMIT',
        priceTicks: 6_000_000,
        qtyLots: 10,
      }),
    ).toEqual({ asset: 'USDT', amountMinor: 600_000_000n });
    expect(
      lockForOrder(BTC_USDT, {
        side: 'BUY',
        orderType: 'LIMIT',
        priceTicks: 6_000_000,
        qtyLots: 10,
        quoteCapMinor: 700_000_000n,
      }),
    ).toEqual({ asset: 'USDT', amountMinor: 700_000_000n });
    expect(
      lockForOrder(BTC_USDT, { side: 'BUY', orderType: 'MARKET', quoteAmountMinor: 5n }),
    ).toEqual({ asset: 'USDT', amountMinor: 5n });
    expect(
      lockForOrder(BTC_USDT, { side: 'BUY', orderType: 'MARKET', qtyLots: 3, quoteCapMinor: 9n }),
    ).toEqual({ asset: 'USDT', amountMinor: 9n });
    expect(lockForRemaining(BTC_USDT, 'BUY', 100, 3)).toEqual({
      asset: 'USDT',
      amountMinor: 3_000n,
    });
    expect(() => lockForOrder(BTC_USDT, { side: 'BUY', orderType: 'MARKET', qtyLots: 3 })).toThrow(
      'lockForOrder',
    );
  });
});
