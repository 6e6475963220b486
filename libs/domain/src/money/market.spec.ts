// Proves that createMarket derives exact integer units from a specification and throws a
// MarketSpecError for every specification that could not give exact arithmetic.
import { BTC_USDT, BTC_USDT_SPEC, ETH_USDT } from '../testing/markets';
import { createMarket, MarketSpec, MarketSpecError } from './market';

describe('createMarket', () => {
  it('derives the integer units of the example markets', () => {
    expect(BTC_USDT).toMatchObject({
      quoteMinorPerTickLot: 10,
      baseMinorPerLot: 1_000,
      minQtyLots: 1,
      maxQtyLots: 100_000_000,
      minNotionalMinor: 500_000_000n,
      priceScale: 8,
      status: 'TRADING',
    });
    expect(ETH_USDT).toMatchObject({
      quoteMinorPerTickLot: 100,
      baseMinorPerLot: 10_000,
      maxQtyLots: 100_000_000,
    });
  });

  it.each<[string, Partial<MarketSpec>]>([
    [
      'a tick x step below one quote minor unit',
      { tickSize: '0.01', stepSize: '0.000001', quoteScale: 2 },
    ],
    ['a step below one base minor unit', { stepSize: '0.000000001' }],
    ['a zero tick', { tickSize: '0' }],
    ['a malformed step', { stepSize: '1e-5' }],
    ['minQty off the step', { minQty: '0.000015' }],
    ['minQty above maxQty', { minQty: '2000' }],
    ['a negative minimum notional', { minNotional: '-5' }],
    ['a fee above 100 %', { takerFeePpm: 1_000_001 }],
    ['a fractional fee', { makerFeePpm: 1.5 }],
    ['a scale above 18', { baseScale: 19 }],
    ['an empty symbol', { symbol: '' }],
    ['an unknown status', { status: 'CLOSED' as never }],
  ])('rejects %s', (_reason, change) => {
    expect(() => createMarket({ ...BTC_USDT_SPEC, ...change })).toThrow(MarketSpecError);
  });

  it('accepts a zero minimum notional and a halted start', () => {
    expect(createMarket({ ...BTC_USDT_SPEC, minNotional: '0', status: 'HALTED' })).toMatchObject({
      minNotionalMinor: 0n,
      status: 'HALTED',
    });
  });
});
