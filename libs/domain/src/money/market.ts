// Market specifications: the filters and scales of one symbol, validated once at construction so
// that every later conversion between decimals, ticks, lots and minor units is exact.
import { ASSET_SCALE_MAX, FEE_RATE_PPM_MAX, ID_LENGTH_MAX, QUANTITY_LOTS_MAX } from '../constants';
import { decimalPlaces, parsePositiveScaled, parseScaled, pow10 } from './decimal';

/** TRADING accepts every command; HALTED rejects new orders and amends but accepts cancels. */
export type MarketStatus = 'TRADING' | 'HALTED';

/** A market as configuration writes it: decimals as strings, fee rates in parts per million. */
export interface MarketSpec {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  /** Decimal places of one minor unit of the base asset (8 for BTC: 1 satoshi = 0.00000001). */
  baseScale: number;
  /** Decimal places of one minor unit of the quote asset. */
  quoteScale: number;
  /** Price increment, in quote per base, e.g. "0.01". */
  tickSize: string;
  /** Quantity increment (lot), in base, e.g. "0.00001". */
  stepSize: string;
  /** Smallest order quantity, in base; a multiple of stepSize. */
  minQty: string;
  /** Largest order quantity, in base; a multiple of stepSize. */
  maxQty: string;
  /** Smallest price x quantity of a limit order (or quote amount of a market buy), in quote; may be "0". */
  minNotional: string;
  /** Maker fee rate in parts per million of what the maker receives (1,000 = 0.1 % = 10 bps). */
  makerFeePpm: number;
  /** Taker fee rate in parts per million of what the taker receives. */
  takerFeePpm: number;
  /** Status at start; TRADING when absent. */
  status?: MarketStatus;
}

/** A validated market with every filter in integer units. Build it with createMarket. */
export interface Market {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly baseScale: number;
  readonly quoteScale: number;
  readonly tickSize: string;
  readonly stepSize: string;
  readonly minQty: string;
  readonly maxQty: string;
  readonly minNotional: string;
  /** Fractional digits a price string may carry: max(quoteScale, decimals of tickSize). */
  readonly priceScale: number;
  /** Fractional digits a formatted price shows: the decimals of tickSize. */
  readonly priceDecimals: number;
  /** tickSize x 10^priceScale. */
  readonly tickScaled: bigint;
  /** Fractional digits a quantity string may carry: max(baseScale, decimals of stepSize). */
  readonly quantityScale: number;
  /** Fractional digits a formatted quantity shows: the decimals of stepSize. */
  readonly quantityDecimals: number;
  /** stepSize x 10^quantityScale. */
  readonly stepScaled: bigint;
  readonly minQtyLots: number;
  readonly maxQtyLots: number;
  /** minNotional in quote minor units. */
  readonly minNotionalMinor: bigint;
  /** Quote minor units of one tick times one lot: notional = priceTicks x qtyLots x this. */
  readonly quoteMinorPerTickLot: number;
  /** Base minor units in one lot. */
  readonly baseMinorPerLot: number;
  readonly makerFeePpm: number;
  readonly takerFeePpm: number;
  /** Status at start; the live status is held by the book. */
  readonly status: MarketStatus;
}

/** Thrown by createMarket for a specification that cannot give exact integer arithmetic. */
export class MarketSpecError extends Error {
  override readonly name = 'MarketSpecError';
  readonly code = 'INVALID_MARKET_SPEC';

  constructor(symbol: string, reason: string) {
    super(`market ${symbol}: ${reason}`);
  }
}

/**
 * Validates a specification and derives its integer units. Throws MarketSpecError unless
 * tickSize x stepSize x 10^quoteScale and stepSize x 10^baseScale are positive integers, the
 * filters are multiples of the step, and everything fits the named bounds.
 */
export function createMarket(spec: MarketSpec): Market {
  const symbol = String(spec.symbol);
  const fail = (reason: string): never => {
    throw new MarketSpecError(symbol, reason);
  };
  if (symbol.length === 0 || symbol.length > ID_LENGTH_MAX) fail('symbol must be 1..64 characters');
  if (!spec.baseAsset || !spec.quoteAsset) fail('base and quote assets are required');
  for (const [name, scale] of [
    ['baseScale', spec.baseScale],
    ['quoteScale', spec.quoteScale],
  ] as const) {
    if (!Number.isInteger(scale) || scale < 0 || scale > ASSET_SCALE_MAX) {
      fail(`${name} must be an integer in [0, ${ASSET_SCALE_MAX}]`);
    }
  }
  for (const [name, rate] of [
    ['makerFeePpm', spec.makerFeePpm],
    ['takerFeePpm', spec.takerFeePpm],
  ] as const) {
    if (!Number.isInteger(rate) || rate < 0 || rate > FEE_RATE_PPM_MAX) {
      fail(`${name} must be an integer in [0, ${FEE_RATE_PPM_MAX}]`);
    }
  }
  const positive = (name: string, text: string, scale: number): bigint => {
    const parsed = parsePositiveScaled(text, scale);
    return parsed.ok ? parsed.value : fail(`${name} "${text}": ${parsed.code}`);
  };
  const tickDecimals = decimalPlaces(String(spec.tickSize));
  const stepDecimals = decimalPlaces(String(spec.stepSize));
  const priceScale = Math.max(spec.quoteScale, tickDecimals);
  const quantityScale = Math.max(spec.baseScale, stepDecimals);
  const tickScaled = positive('tickSize', spec.tickSize, priceScale);
  const stepScaled = positive('stepSize', spec.stepSize, quantityScale);

  // notional minor = ticks * tickScaled/10^P * lots * stepScaled/10^Q * 10^quoteScale
  const tickLotNumerator = tickScaled * stepScaled * pow10(spec.quoteScale);
  const tickLotDenominator = pow10(priceScale + quantityScale);
  if (tickLotNumerator % tickLotDenominator !== 0n) {
    fail('tickSize x stepSize x 10^quoteScale must be an integer');
  }
  const quoteMinorPerTickLot = tickLotNumerator / tickLotDenominator;
  const baseNumerator = stepScaled * pow10(spec.baseScale);
  const baseDenominator = pow10(quantityScale);
  if (baseNumerator % baseDenominator !== 0n) {
    fail('stepSize x 10^baseScale must be an integer');
  }
  const baseMinorPerLot = baseNumerator / baseDenominator;
  const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);
  if (quoteMinorPerTickLot > maxSafe || baseMinorPerLot > maxSafe) {
    fail('tick and step are too large for safe integers');
  }

  const lotsOf = (name: string, text: string): number => {
    const scaled = positive(name, text, quantityScale);
    if (scaled % stepScaled !== 0n) fail(`${name} must be a multiple of stepSize`);
    const lots = scaled / stepScaled;
    if (lots > BigInt(QUANTITY_LOTS_MAX)) fail(`${name} exceeds QUANTITY_LOTS_MAX lots`);
    return Number(lots);
  };
  const minQtyLots = lotsOf('minQty', spec.minQty);
  const maxQtyLots = lotsOf('maxQty', spec.maxQty);
  if (minQtyLots > maxQtyLots) fail('minQty must not exceed maxQty');
  const minNotional = parseScaled(spec.minNotional, spec.quoteScale);
  if (!minNotional.ok) fail(`minNotional "${spec.minNotional}": ${minNotional.code}`);
  const status = spec.status ?? 'TRADING';
  if (status !== 'TRADING' && status !== 'HALTED') fail(`unknown status ${String(status)}`);

  return Object.freeze({
    symbol,
    baseAsset: spec.baseAsset,
    quoteAsset: spec.quoteAsset,
    baseScale: spec.baseScale,
    quoteScale: spec.quoteScale,
    tickSize: spec.tickSize,
    stepSize: spec.stepSize,
    minQty: spec.minQty,
    maxQty: spec.maxQty,
    minNotional: spec.minNotional,
    priceScale,
    priceDecimals: tickDecimals,
    tickScaled,
    quantityScale,
    quantityDecimals: stepDecimals,
    stepScaled,
    minQtyLots,
    maxQtyLots,
    minNotionalMinor: minNotional.ok ? minNotional.value : 0n,
    quoteMinorPerTickLot: Number(quoteMinorPerTickLot),
    baseMinorPerLot: Number(baseMinorPerLot),
    makerFeePpm: spec.makerFeePpm,
    takerFeePpm: spec.takerFeePpm,
    status,
  });
}

/** The spec a market was created from: createMarket(marketSpecOf(m)) equals m. */
export function marketSpecOf(market: Market): Required<MarketSpec> {
  return {
    symbol: market.symbol,
    baseAsset: market.baseAsset,
    quoteAsset: market.quoteAsset,
    baseScale: market.baseScale,
    quoteScale: market.quoteScale,
    tickSize: market.tickSize,
    stepSize: market.stepSize,
    minQty: market.minQty,
    maxQty: market.maxQty,
    minNotional: market.minNotional,
    makerFeePpm: market.makerFeePpm,
    takerFeePpm: market.takerFeePpm,
    status: market.status,
  };
}
