// Example markets used by tests and benchmarks: the seed's BTC-USDT and ETH-USDT, 8 decimals
// for every asset, 10 bps maker and 20 bps taker fees.
import { createMarket, Market, MarketSpec } from '../money/market';

export const BTC_USDT_SPEC: MarketSpec = {
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
};

export const ETH_USDT_SPEC: MarketSpec = {
  symbol: 'ETH-USDT',
  baseAsset: 'ETH',
  quoteAsset: 'USDT',
  baseScale: 8,
  quoteScale: 8,
  tickSize: '0.01',
  stepSize: '0.0001',
  minQty: '0.0001',
  maxQty: '10000',
  minNotional: '5',
  makerFeePpm: 1_000,
  takerFeePpm: 2_000,
};

/** A third market priced in BTC, so streams cover more than one quote asset. */
export const ETH_BTC_SPEC: MarketSpec = {
  symbol: 'ETH-BTC',
  baseAsset: 'ETH',
  quoteAsset: 'BTC',
  baseScale: 8,
  quoteScale: 8,
  tickSize: '0.00001',
  stepSize: '0.001',
  minQty: '0.001',
  maxQty: '100000',
  minNotional: '0.0001',
  makerFeePpm: 500,
  takerFeePpm: 1_500,
};

export const BTC_USDT: Market = createMarket(BTC_USDT_SPEC);
export const ETH_USDT: Market = createMarket(ETH_USDT_SPEC);
export const ETH_BTC: Market = createMarket(ETH_BTC_SPEC);
