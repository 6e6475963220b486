// Proves the edge conversion of order requests: exact integers and locks for every order type,
// and a stable rejection code (never a rounded value) for every malformed or filtered input.
import { createMarket } from '@app/domain';
import { BTC_USDT_SPEC } from '@app/domain/testing/markets';
import { prepareOrder, type PlaceOrderInput } from './prepare-order';

const market = createMarket(BTC_USDT_SPEC);
const halted = createMarket({ ...market, status: 'HALTED' });

const limitBuy: PlaceOrderInput = {
  symbol: 'BTC-USDT',
  side: 'BUY',
  type: 'LIMIT',
  price: '30000.5',
  quantity: '0.002',
};

describe('prepareOrder', () => {
  it('locks price x quantity for a limit buy, in quote minor units', () => {
    const prepared = prepareOrder(market, limitBuy);
    expect(prepared).toEqual({
      ok: true,
      order: {
        apiType: 'LIMIT',
        command: expect.objectContaining({
          priceTicks: 3_000_050,
          qtyLots: 200,
          timeInForce: 'GTC',
          postOnly: false,
          stpMode: 'NONE',
        }),
        lock: { asset: 'USDT', amountMinor: 6_000_100_000n }, // 30000.5 x 0.002 = 60.001 USDT
      },
    });
  });

  it('locks the base quantity for a sell', () => {
    const prepared = prepareOrder(market, { ...limitBuy, side: 'SELL' });
    expect(prepared.ok && prepared.order.lock).toEqual({ asset: 'BTC', amountMinor: 200_000n });
  });

  it('locks the quote amount of a market buy by quote', () => {
    const prepared = prepareOrder(market, {
      symbol: 'BTC-USDT',
      side: 'BUY',
      type: 'MARKET',
      quoteAmount: '100.25',
    });
    expect(prepared.ok && prepared.order.lock).toEqual({
      asset: 'USDT',
      amountMinor: 10_025_000_000n,
    });
    expect(prepared.ok && prepared.order.command.quoteAmountMinor).toBe(10_025_000_000n);
  });

  it('locks maxQuote, or everything available, for a market buy by quantity', () => {
    const capped = prepareOrder(market, {
      symbol: 'BTC-USDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.1',
      maxQuote: '4000',
    });
    expect(capped.ok && capped.order.lock).toEqual({
      asset: 'USDT',
      amountMinor: 400_000_000_000n,
    });
    expect(capped.ok && capped.order.command.quoteCapMinor).toBe(400_000_000_000n);
    const uncapped = prepareOrder(market, {
      symbol: 'BTC-USDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.1',
    });
    expect(uncapped.ok && uncapped.order.lock).toEqual({
      asset: 'USDT',
      amountMinor: 'ALL_AVAILABLE',
    });
    expect(uncapped.ok && uncapped.order.command.quoteCapMinor).toBeUndefined();
  });

  it('maps stop orders to a limit or market command with a stop price', () => {
    const stopLimit = prepareOrder(market, {
      ...limitBuy,
      type: 'STOP_LIMIT',
      stopPrice: '29999.99',
    });
    expect(stopLimit.ok && stopLimit.order.command).toMatchObject({
      orderType: 'LIMIT',
      stopPriceTicks: 2_999_999,
    });
    const stopMarket = prepareOrder(market, {
      symbol: 'BTC-USDT',
      side: 'SELL',
      type: 'STOP_MARKET',
      quantity: '1',
      stopPrice: '25000',
    });
    expect(stopMarket.ok && stopMarket.order).toMatchObject({
      apiType: 'STOP_MARKET',
      command: { orderType: 'MARKET', stopPriceTicks: 2_500_000, qtyLots: 100_000 },
      lock: { asset: 'BTC', amountMinor: 100_000_000n },
    });
  });

  it.each<[string, Partial<PlaceOrderInput>, string, string | undefined]>([
    ['an off-tick price', { price: '30000.001' }, 'PRICE_OFF_TICK', 'price'],
    [
      'more decimals than the quote scale',
      { price: '30000.000000001' },
      'TOO_MANY_DECIMALS',
      'price',
    ],
    ['an off-step quantity', { quantity: '0.000015' }, 'QUANTITY_OFF_STEP', 'quantity'],
    ['a negative quantity', { quantity: '-1' }, 'NEGATIVE', 'quantity'],
    ['a zero price', { price: '0' }, 'ZERO', 'price'],
    ['exponent notation', { quantity: '1e-3' }, 'EXPONENT_NOTATION', 'quantity'],
    ['NaN', { price: 'NaN' }, 'NOT_A_NUMBER', 'price'],
    ['Infinity', { price: 'Infinity' }, 'NOT_FINITE', 'price'],
    ['an empty price', { price: '' }, 'EMPTY', 'price'],
    ['a missing price', { price: undefined }, 'EMPTY', 'price'],
    ['a quantity above the maximum', { quantity: '1000.00001' }, 'QUANTITY_ABOVE_MAX', 'quantity'],
    [
      'a notional below the minimum',
      { price: '1', quantity: '0.00001' },
      'NOTIONAL_BELOW_MIN',
      undefined,
    ],
    ['a huge price', { price: '99999999999999999999' }, 'VALUE_TOO_LARGE', 'price'],
    ['a limit with a quote amount', { quoteAmount: '10' }, 'INVALID_COMMAND', 'quoteAmount'],
    ['a stop price on a plain limit', { stopPrice: '1' }, 'INVALID_COMMAND', 'stopPrice'],
  ])('rejects %s', (_name, change, code, field) => {
    expect(prepareOrder(market, { ...limitBuy, ...change })).toEqual({ ok: false, code, field });
  });

  it('rejects an off-tick price that has few enough decimals', () => {
    const coarse = createMarket({ ...market, tickSize: '0.5' });
    expect(prepareOrder(coarse, { ...limitBuy, price: '30000.2' })).toMatchObject({
      ok: false,
      code: 'PRICE_OFF_TICK',
    });
  });

  it('rejects market orders with a price, post-only or a resting time in force', () => {
    const base: PlaceOrderInput = {
      symbol: 'BTC-USDT',
      side: 'SELL',
      type: 'MARKET',
      quantity: '1',
    };
    expect(prepareOrder(market, { ...base, price: '1' })).toMatchObject({
      ok: false,
      field: 'price',
    });
    expect(prepareOrder(market, { ...base, postOnly: true })).toMatchObject({
      ok: false,
      field: 'postOnly',
    });
    expect(prepareOrder(market, { ...base, timeInForce: 'GTC' })).toMatchObject({
      ok: false,
      field: 'timeInForce',
    });
    expect(prepareOrder(market, { ...base, timeInForce: 'IOC' }).ok).toBe(true);
  });

  it('rejects new orders on a halted market', () => {
    expect(prepareOrder(halted, limitBuy)).toEqual({
      ok: false,
      code: 'MARKET_HALTED',
      field: undefined,
    });
  });
});
