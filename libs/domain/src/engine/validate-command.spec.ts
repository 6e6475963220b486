// Proves that the engine rejects, with the documented code and without touching the book, every
// command that breaks a market filter or is malformed, on BTC-USDT.
import { EngineErrorCode, FilterErrorCode, ParseErrorCode } from '../error-codes';
import { BTC_USDT } from '../testing/markets';
import { EngineCommand, PlaceOrderCommand } from './commands';
import { MatchingEngine } from './matching-engine';

let sequence = 0;
const limit = (change: Partial<PlaceOrderCommand>): EngineCommand => ({
  commandId: `c-${++sequence}`,
  timestampMs: 1,
  userId: 'alice',
  symbol: BTC_USDT.symbol,
  type: 'place',
  orderId: 'o1',
  side: 'BUY',
  orderType: 'LIMIT',
  priceTicks: 6_000_000,
  qtyLots: 100,
  ...change,
});

describe('command validation through the engine', () => {
  it.each<[string, Partial<PlaceOrderCommand>, string]>([
    ['quantity below the minimum', { qtyLots: 0 }, FilterErrorCode.QUANTITY_BELOW_MIN],
    ['quantity above the maximum', { qtyLots: 100_000_001 }, FilterErrorCode.QUANTITY_ABOVE_MAX],
    [
      'notional below the minimum',
      { priceTicks: 1, qtyLots: 1 },
      FilterErrorCode.NOTIONAL_BELOW_MIN,
    ],
    [
      'a cap below the notional',
      { quoteCapMinor: 5_999_999_999n },
      EngineErrorCode.INSUFFICIENT_LOCK,
    ],
    ['a cap beyond BIGINT', { quoteCapMinor: 2n ** 63n }, ParseErrorCode.VALUE_TOO_LARGE],
    ['a fractional price', { priceTicks: 1.5 }, EngineErrorCode.INVALID_COMMAND],
    ['a zero price', { priceTicks: 0 }, EngineErrorCode.INVALID_COMMAND],
    ['an unsafe price', { priceTicks: 2 ** 53 }, EngineErrorCode.INVALID_COMMAND],
    ['an unknown side', { side: 'HOLD' as never }, EngineErrorCode.INVALID_COMMAND],
    ['an unknown time in force', { timeInForce: 'GTD' as never }, EngineErrorCode.INVALID_COMMAND],
    ['post-only with IOC', { postOnly: true, timeInForce: 'IOC' }, EngineErrorCode.INVALID_COMMAND],
    ['a cap on a sell', { side: 'SELL', quoteCapMinor: 10n }, EngineErrorCode.INVALID_COMMAND],
    ['a quote amount on a limit', { quoteAmountMinor: 10n }, EngineErrorCode.INVALID_COMMAND],
    [
      'a market order with a price',
      { orderType: 'MARKET', quoteCapMinor: 10n },
      EngineErrorCode.INVALID_COMMAND,
    ],
    [
      'a market buy without a cap',
      { orderType: 'MARKET', priceTicks: undefined },
      EngineErrorCode.INVALID_COMMAND,
    ],
    [
      'a market sell by quote',
      {
        orderType: 'MARKET',
        side: 'SELL',
        priceTicks: undefined,
        qtyLots: undefined,
        quoteAmountMinor: 10n,
      },
      EngineErrorCode.INVALID_COMMAND,
    ],
    [
      'a market buy by quote below the minimum',
      {
        orderType: 'MARKET',
        priceTicks: undefined,
        qtyLots: undefined,
        quoteAmountMinor: 499_999_999n,
      },
      FilterErrorCode.NOTIONAL_BELOW_MIN,
    ],
    [
      'a market buy by quote beyond BIGINT',
      {
        orderType: 'MARKET',
        priceTicks: undefined,
        qtyLots: undefined,
        quoteAmountMinor: 2n ** 63n,
      },
      ParseErrorCode.VALUE_TOO_LARGE,
    ],
    [
      'a market FOK',
      { orderType: 'MARKET', priceTicks: undefined, quoteCapMinor: 10n, timeInForce: 'FOK' },
      EngineErrorCode.INVALID_COMMAND,
    ],
    ['an empty orderId', { orderId: '' }, EngineErrorCode.INVALID_COMMAND],
    [
      'a clientOrderId over 64 characters',
      { clientOrderId: 'x'.repeat(65) },
      EngineErrorCode.INVALID_COMMAND,
    ],
    ['a fractional stop price', { stopPriceTicks: 0.5 }, EngineErrorCode.INVALID_COMMAND],
    [
      'an amount that is not a bigint',
      { quoteCapMinor: '100' as never },
      EngineErrorCode.INVALID_COMMAND,
    ],
  ])('rejects %s', (_what, change, code) => {
    const engine = new MatchingEngine({ markets: [BTC_USDT] });
    const result = engine.apply(limit(change));
    expect(result).toMatchObject({
      status: 'REJECTED',
      code,
      eventSeq: 1,
      trades: [],
      bookDeltas: [],
    });
    expect(result.order?.status).toBe('REJECTED');
    expect(engine.book(BTC_USDT.symbol)!.snapshot().bids).toEqual([]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['an amend with nothing to change', { type: 'amend', orderId: 'o1' }],
    ['an amend to zero', { type: 'amend', orderId: 'o1', qtyLots: 0 }],
    [
      'an amend with a negative lock',
      { type: 'amend', orderId: 'o1', qtyLots: 1, lockAddMinor: -1n },
    ],
    ['a cancel without orderId', { type: 'cancel' }],
    ['an unknown status', { type: 'setMarketStatus', status: 'CLOSED' }],
    ['an unknown command type', { type: 'explode' }],
    ['a missing commandId', { type: 'cancelAll', commandId: undefined }],
    ['a negative timestamp', { type: 'cancelAll', timestampMs: -1 }],
  ])('rejects %s with INVALID_COMMAND', (_what, fields) => {
    const engine = new MatchingEngine({ markets: [BTC_USDT] });
    const command = {
      commandId: 'c1',
      timestampMs: 1,
      userId: 'alice',
      symbol: BTC_USDT.symbol,
      ...fields,
    } as EngineCommand;
    expect(engine.apply(command)).toMatchObject({
      status: 'REJECTED',
      code: EngineErrorCode.INVALID_COMMAND,
    });
  });

  it('rejects an amend above the maximum quantity', () => {
    const engine = new MatchingEngine({ markets: [BTC_USDT] });
    const command: EngineCommand = {
      commandId: 'c1',
      timestampMs: 1,
      userId: 'alice',
      symbol: BTC_USDT.symbol,
      type: 'amend',
      orderId: 'o1',
      qtyLots: 100_000_001,
    };
    expect(engine.apply(command)).toMatchObject({
      status: 'REJECTED',
      code: FilterErrorCode.QUANTITY_ABOVE_MAX,
    });
  });
});
