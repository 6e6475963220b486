// Exact money arithmetic shared by order-service (what to lock), the engine (what trades cost)
// and settlement (fees). Quote and base amounts are bigint minor units; fees round up.
import { assert } from '../assert';
import { PPM_DENOMINATOR } from '../constants';
import type { PlaceOrderCommand, Side } from '../engine/commands';
import { Market } from './market';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const PPM = BigInt(PPM_DENOMINATOR);
const INT32_MAX = 0x7fff_ffff;
const INT32_MIN = -0x8000_0000;

/**
 * BigInt(value) for a safe integer, exactly. Optimized V8 code converts a value it knows to be a
 * 32-bit integer inline and calls into the runtime for any other number, which takes about 2.5
 * times as long; `value | 0` tells it so, and is exact inside that range. Most amounts the engine
 * reports (trade quotes, fees, locks) fall inside it.
 */
export function bigintOf(value: number): bigint {
  return value <= INT32_MAX && value >= INT32_MIN ? BigInt(value | 0) : BigInt(value);
}

/** priceTicks x qtyLots x quoteMinorPerTickLot, in quote minor units, exactly. */
export function notionalMinor(market: Market, priceTicks: number, qtyLots: number): bigint {
  return notionalOf(priceTicks, qtyLots, market.quoteMinorPerTickLot);
}

/** notionalMinor with the market's factor passed in; uses number arithmetic while it is exact. */
export function notionalOf(
  priceTicks: number,
  qtyLots: number,
  quoteMinorPerTickLot: number,
): bigint {
  const product = priceTicks * qtyLots * quoteMinorPerTickLot;
  if (product <= MAX_SAFE) return bigintOf(product);
  return BigInt(priceTicks) * BigInt(qtyLots) * BigInt(quoteMinorPerTickLot);
}

/** qtyLots in base minor units. */
export function baseMinor(market: Market, qtyLots: number): bigint {
  return baseOf(qtyLots, market.baseMinorPerLot);
}

export function baseOf(qtyLots: number, baseMinorPerLot: number): bigint {
  const product = qtyLots * baseMinorPerLot;
  if (product <= MAX_SAFE) return bigintOf(product);
  return BigInt(qtyLots) * BigInt(baseMinorPerLot);
}

/**
 * Fee on an amount received, ceil(amountMinor x ratePpm / 1,000,000): rounding favours the
 * exchange by less than one minor unit.
 */
export function feeMinor(amountMinor: bigint, ratePpm: number): bigint {
  if (ratePpm === 0 || amountMinor === 0n) return 0n;
  const product = amountMinor * BigInt(ratePpm);
  const quotient = product / PPM;
  return product % PPM === 0n ? quotient : quotient + 1n;
}

/** feeMinor for an amount that is a safe number; stays in number arithmetic while exact. */
export function feeOfNumber(amountMinor: number, ratePpm: number): bigint {
  const product = amountMinor * ratePpm;
  if (product <= MAX_SAFE) {
    const remainder = product % PPM_DENOMINATOR;
    return bigintOf((product - remainder) / PPM_DENOMINATOR + (remainder > 0 ? 1 : 0));
  }
  return feeMinor(BigInt(amountMinor), ratePpm);
}

/** An asset and an amount of it in minor units. */
export interface AssetAmount {
  asset: string;
  amountMinor: bigint;
}

/** The fields of a place command that decide its lock. */
export type LockableOrder = Pick<
  PlaceOrderCommand,
  'side' | 'orderType' | 'priceTicks' | 'qtyLots' | 'quoteAmountMinor' | 'quoteCapMinor'
>;

/**
 * What order-service locks before sending a place command: a sell locks its base quantity; a
 * limit buy its quoteCapMinor, or exactly priceTicks x qtyLots when there is none (fees are
 * taken from what the buyer receives, so no fee reserve); a market buy its quoteAmountMinor or
 * quoteCapMinor. The command must be valid (see validatePlaceCommand).
 */
export function lockForOrder(market: Market, order: LockableOrder): AssetAmount {
  if (order.side === 'SELL') {
    assert(order.qtyLots !== undefined, 'lockForOrder: a sell needs qtyLots');
    return { asset: market.baseAsset, amountMinor: baseMinor(market, order.qtyLots) };
  }
  if (order.orderType === 'LIMIT') {
    assert(
      order.priceTicks !== undefined && order.qtyLots !== undefined,
      'lockForOrder: a limit buy needs price and quantity',
    );
    const amountMinor =
      order.quoteCapMinor ?? notionalMinor(market, order.priceTicks, order.qtyLots);
    return { asset: market.quoteAsset, amountMinor };
  }
  const amountMinor = order.quoteAmountMinor ?? order.quoteCapMinor;
  assert(
    amountMinor !== undefined,
    'lockForOrder: a market buy needs quoteAmountMinor or quoteCapMinor',
  );
  return { asset: market.quoteAsset, amountMinor };
}

/**
 * What the open part of a resting limit order can still spend, which is exactly its lock:
 * a sell's remaining base, a buy's priceTicks x remainingLots.
 */
export function lockForRemaining(
  market: Market,
  side: Side,
  priceTicks: number,
  remainingLots: number,
): AssetAmount {
  return side === 'SELL'
    ? { asset: market.baseAsset, amountMinor: baseMinor(market, remainingLots) }
    : { asset: market.quoteAsset, amountMinor: notionalMinor(market, priceTicks, remainingLots) };
}
