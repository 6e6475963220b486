// The market both engines trade in the benchmark: unit tick and step and no filters, so that
// every command of the shared stream means the same thing to our engine and to nodejs-order-book.
import { createMarket, Market } from '@app/domain';

export const BENCH_MARKET: Market = createMarket({
  symbol: 'BENCH',
  baseAsset: 'B',
  quoteAsset: 'Q',
  baseScale: 0,
  quoteScale: 0,
  tickSize: '1',
  stepSize: '1',
  minQty: '1',
  maxQty: '1000000000',
  minNotional: '0',
  makerFeePpm: 1_000,
  takerFeePpm: 2_000,
});

/** A quote cap no order of the benchmark can reach: market buys are limited by quantity only. */
export const UNLIMITED_QUOTE_MINOR = 2n ** 62n;
