// Proves every edge conversion: each rejection code of parsePrice, parseQuantity and
// parseQuoteAmount on a hand-picked string, and exact round trips of format and parse (fast-check).
import fc from 'fast-check';
import { ParseErrorCode, FilterErrorCode } from '../error-codes';
import { BTC_USDT, ETH_USDT } from '../testing/markets';
import {
  formatMinor,
  formatPrice,
  formatQuantity,
  parseAmount,
  parsePrice,
  parseQuantity,
  parseQuoteAmount,
} from './parse';

describe('parsePrice on BTC-USDT (tick 0.01, quote scale 8)', () => {
  it.each([
    ['60000.01', 6_000_001],
    ['0.01', 1],
    ['60000', 6_000_000],
    ['60000.10000000', 6_000_010],
    ['007.5', 750],
  ])('reads %s as %i ticks', (text, ticks) => {
    expect(parsePrice(BTC_USDT, text)).toEqual({ ok: true, value: ticks });
  });

  it.each([
    ['', ParseErrorCode.EMPTY],
    ['   ', ParseErrorCode.EMPTY],
    ['-1', ParseErrorCode.NEGATIVE],
    ['-0.01', ParseErrorCode.NEGATIVE],
    ['0', ParseErrorCode.ZERO],
    ['0.00', ParseErrorCode.ZERO],
    ['NaN', ParseErrorCode.NOT_A_NUMBER],
    ['abc', ParseErrorCode.NOT_A_NUMBER],
    ['1.', ParseErrorCode.NOT_A_NUMBER],
    ['.5', ParseErrorCode.NOT_A_NUMBER],
    ['+1', ParseErrorCode.NOT_A_NUMBER],
    [' 1', ParseErrorCode.NOT_A_NUMBER],
    ['1,5', ParseErrorCode.NOT_A_NUMBER],
    ['Infinity', ParseErrorCode.NOT_FINITE],
    ['-Infinity', ParseErrorCode.NOT_FINITE],
    ['1e3', ParseErrorCode.EXPONENT_NOTATION],
    ['1.5E-2', ParseErrorCode.EXPONENT_NOTATION],
    ['60000.123456789', ParseErrorCode.TOO_MANY_DECIMALS],
    ['60000.000000000', ParseErrorCode.TOO_MANY_DECIMALS],
    ['60000.001', FilterErrorCode.PRICE_OFF_TICK],
    ['90071992547409.92', ParseErrorCode.VALUE_TOO_LARGE],
    ['1'.repeat(65), ParseErrorCode.VALUE_TOO_LARGE],
  ])('rejects %j with %s', (text, code) => {
    expect(parsePrice(BTC_USDT, text)).toEqual({ ok: false, code });
  });

  it('rejects a value that is not a string', () => {
    expect(parsePrice(BTC_USDT, 1.5)).toEqual({ ok: false, code: ParseErrorCode.NOT_A_NUMBER });
  });
});

describe('parseQuantity on BTC-USDT (step 0.00001, min 0.00001, max 1000)', () => {
  it('reads a quantity as lots', () => {
    expect(parseQuantity(BTC_USDT, '0.5')).toEqual({ ok: true, value: 50_000 });
    expect(parseQuantity(BTC_USDT, '1000')).toEqual({ ok: true, value: 100_000_000 });
  });

  it.each([
    ['0.000015', FilterErrorCode.QUANTITY_OFF_STEP],
    ['1000.00001', FilterErrorCode.QUANTITY_ABOVE_MAX],
    ['0.000000001', ParseErrorCode.TOO_MANY_DECIMALS],
    ['0', ParseErrorCode.ZERO],
    ['-2', ParseErrorCode.NEGATIVE],
    ['900719925474099.3', ParseErrorCode.VALUE_TOO_LARGE],
  ])('rejects %j with %s', (text, code) => {
    expect(parseQuantity(BTC_USDT, text)).toEqual({ ok: false, code });
  });

  it('rejects a quantity below the minimum', () => {
    expect(parseQuantity(ETH_USDT, '0.0001')).toEqual({ ok: true, value: 1 });
    const strict = { ...ETH_USDT, minQtyLots: 10 };
    expect(parseQuantity(strict, '0.0009')).toEqual({
      ok: false,
      code: FilterErrorCode.QUANTITY_BELOW_MIN,
    });
  });
});

describe('parseQuoteAmount on BTC-USDT (min notional 5)', () => {
  it('reads an amount as quote minor units', () => {
    expect(parseQuoteAmount(BTC_USDT, '250.5')).toEqual({ ok: true, value: 25_050_000_000n });
  });

  it.each([
    ['4.99999999', FilterErrorCode.NOTIONAL_BELOW_MIN],
    ['5.000000001', ParseErrorCode.TOO_MANY_DECIMALS],
    ['99999999999999999999', ParseErrorCode.VALUE_TOO_LARGE],
    ['', ParseErrorCode.EMPTY],
  ])('rejects %j with %s', (text, code) => {
    expect(parseQuoteAmount(BTC_USDT, text)).toEqual({ ok: false, code });
  });

  it('parses plain amounts at an asset scale', () => {
    expect(parseAmount('1', 8)).toEqual({ ok: true, value: 100_000_000n });
  });
});

describe('formatting', () => {
  it('writes ticks, lots and minor units with fixed decimals', () => {
    expect(formatPrice(BTC_USDT, 6_000_010)).toBe('60000.10');
    expect(formatQuantity(BTC_USDT, 50_000)).toBe('0.50000');
    expect(formatMinor(1n, 8)).toBe('0.00000001');
    expect(formatMinor(-150_000_000n, 8)).toBe('-1.50000000');
  });

  it('round-trips every price and quantity exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 1, max: BTC_USDT.maxQtyLots }),
        (ticks, lots) => {
          expect(parsePrice(BTC_USDT, formatPrice(BTC_USDT, ticks))).toEqual({
            ok: true,
            value: ticks,
          });
          expect(parseQuantity(BTC_USDT, formatQuantity(BTC_USDT, lots))).toEqual({
            ok: true,
            value: lots,
          });
        },
      ),
    );
  });
});
