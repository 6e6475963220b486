// Synthetic engine results for the deadlock test and the benchmark: two big resting orders per
// market (one buy, one sell) that trade one small fill per result, so that any number of trades
// between chosen users can be produced with exact lock arithmetic. Not a test file.
import {
  feeMinor,
  notionalMinor,
  baseMinor,
  type EngineResult,
  type Market,
  type OrderUpdate,
  type PlaceOrderCommand,
} from '@app/domain';

/** A resting buy and sell on one market, and a cursor over the fills they have made. */
export interface CrossBook {
  readonly market: Market;
  readonly buy: PlaceOrderCommand;
  readonly sell: PlaceOrderCommand;
  readonly priceTicks: number;
  filledLots: number;
  /** Per-market sequences; books of one market must share one. */
  readonly seq: MarketSequences;
}

export interface MarketSequences {
  tradeSeq: number;
  eventSeq: number;
}

export function crossBook(
  market: Market,
  buy: PlaceOrderCommand,
  sell: PlaceOrderCommand,
  seq: MarketSequences = { tradeSeq: 0, eventSeq: 0 },
): CrossBook {
  return { market, buy, sell, priceTicks: buy.priceTicks as number, filledLots: 0, seq };
}

function update(book: CrossBook, order: PlaceOrderCommand): OrderUpdate {
  const total = order.qtyLots as number;
  const remaining = total - book.filledLots;
  const lock =
    order.side === 'BUY'
      ? notionalMinor(book.market, book.priceTicks, remaining)
      : baseMinor(book.market, remaining);
  return {
    orderId: order.orderId,
    clientOrderId: undefined,
    userId: order.userId,
    side: order.side,
    orderType: 'LIMIT',
    status: remaining === 0 ? 'FILLED' : 'PARTIALLY_FILLED',
    reason: undefined,
    priceTicks: book.priceTicks,
    stopPriceTicks: undefined,
    originalLots: total,
    filledLots: book.filledLots,
    remainingLots: remaining,
    quoteFilledMinor: notionalMinor(book.market, book.priceTicks, book.filledLots),
    lockAsset: order.side === 'BUY' ? book.market.quoteAsset : book.market.baseAsset,
    lockRemainingMinor: lock,
    releasedMinor: 0n,
    prioritySeq: 1,
  };
}

/** The next result: `lots` more traded between the two orders; `takerSide` picks the taker. */
export function nextCrossResult(
  book: CrossBook,
  lots: number,
  takerSide: 'BUY' | 'SELL',
): EngineResult {
  book.filledLots += lots;
  const tradeSeq = ++book.seq.tradeSeq;
  const eventSeq = ++book.seq.eventSeq;
  const quote = notionalMinor(book.market, book.priceTicks, lots);
  const base = baseMinor(book.market, lots);
  const takerBuys = takerSide === 'BUY';
  const taker = takerBuys ? book.buy : book.sell;
  const maker = takerBuys ? book.sell : book.buy;
  const makerFee = feeMinor(takerBuys ? quote : base, book.market.makerFeePpm);
  const takerFee = feeMinor(takerBuys ? base : quote, book.market.takerFeePpm);
  return {
    commandId: `${book.market.symbol}-${eventSeq}-${taker.orderId}`,
    commandType: 'place',
    symbol: book.market.symbol,
    eventSeq: eventSeq,
    timestampMs: 1_800_000_000_000 + eventSeq,
    status: 'PARTIALLY_FILLED',
    code: undefined,
    order: update(book, taker),
    trades: [
      {
        tradeSeq,
        priceTicks: book.priceTicks,
        qtyLots: lots,
        quoteMinor: quote,
        baseMinor: base,
        makerOrderId: maker.orderId,
        takerOrderId: taker.orderId,
        makerUserId: maker.userId,
        takerUserId: taker.userId,
        takerSide,
        makerFeeMinor: makerFee,
        makerFeeAsset: takerBuys ? book.market.quoteAsset : book.market.baseAsset,
        takerFeeMinor: takerFee,
        takerFeeAsset: takerBuys ? book.market.baseAsset : book.market.quoteAsset,
      },
    ],
    bookDeltas: [],
    ordersAffected: [update(book, maker)],
    marketStatus: undefined,
  };
}
