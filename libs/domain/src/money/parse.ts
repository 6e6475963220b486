// Edge conversions between the API's decimal strings and the book's integers: prices to ticks,
// quantities to lots, amounts to minor units, and back. Each parse returns a result with a
// stable code; nothing is rounded.
import { AMOUNT_MINOR_MAX, PRICE_TICKS_MAX, QUANTITY_LOTS_MAX } from '../constants';
import { FilterErrorCode, ParseErrorCode, ParseResult } from '../error-codes';
import { formatScaled, parsePositiveScaled } from './decimal';
import { Market } from './market';

/** Reads a price ("60000.01") as integer ticks. Codes: the parse codes, PRICE_OFF_TICK, VALUE_TOO_LARGE. */
export function parsePrice(market: Market, text: unknown): ParseResult<number> {
  const parsed = parsePositiveScaled(text, market.priceScale);
  if (!parsed.ok) return parsed;
  if (parsed.value % market.tickScaled !== 0n) {
    return { ok: false, code: FilterErrorCode.PRICE_OFF_TICK };
  }
  const ticks = parsed.value / market.tickScaled;
  if (ticks > BigInt(PRICE_TICKS_MAX)) return { ok: false, code: ParseErrorCode.VALUE_TOO_LARGE };
  return { ok: true, value: Number(ticks) };
}

/**
 * Reads an order quantity ("0.5") as integer lots and applies the quantity filters. Codes: the
 * parse codes, QUANTITY_OFF_STEP, VALUE_TOO_LARGE, QUANTITY_BELOW_MIN, QUANTITY_ABOVE_MAX.
 */
export function parseQuantity(market: Market, text: unknown): ParseResult<number> {
  const parsed = parsePositiveScaled(text, market.quantityScale);
  if (!parsed.ok) return parsed;
  if (parsed.value % market.stepScaled !== 0n) {
    return { ok: false, code: FilterErrorCode.QUANTITY_OFF_STEP };
  }
  const lots = parsed.value / market.stepScaled;
  if (lots > BigInt(QUANTITY_LOTS_MAX)) return { ok: false, code: ParseErrorCode.VALUE_TOO_LARGE };
  const value = Number(lots);
  if (value < market.minQtyLots) return { ok: false, code: FilterErrorCode.QUANTITY_BELOW_MIN };
  if (value > market.maxQtyLots) return { ok: false, code: FilterErrorCode.QUANTITY_ABOVE_MAX };
  return { ok: true, value };
}

/**
 * Reads a quote amount ("250.5" USDT, the spend of a market buy by quote) as bigint quote minor
 * units. Codes: the parse codes, VALUE_TOO_LARGE, NOTIONAL_BELOW_MIN.
 */
export function parseQuoteAmount(market: Market, text: unknown): ParseResult<bigint> {
  const parsed = parseAmount(text, market.quoteScale);
  if (!parsed.ok) return parsed;
  if (parsed.value < market.minNotionalMinor) {
    return { ok: false, code: FilterErrorCode.NOTIONAL_BELOW_MIN };
  }
  return parsed;
}

/** Reads a positive amount of an asset with `scale` decimals as bigint minor units. */
export function parseAmount(text: unknown, scale: number): ParseResult<bigint> {
  const parsed = parsePositiveScaled(text, scale);
  if (!parsed.ok) return parsed;
  if (parsed.value > AMOUNT_MINOR_MAX) return { ok: false, code: ParseErrorCode.VALUE_TOO_LARGE };
  return parsed;
}

/** Writes integer ticks as a price with the tick's decimals ("60000.10" for tick 0.01). */
export function formatPrice(market: Market, priceTicks: number): string {
  return formatScaled(
    BigInt(priceTicks) * market.tickScaled,
    market.priceScale,
    market.priceDecimals,
  );
}

/** Writes integer lots as a quantity with the step's decimals ("0.50000" for step 0.00001). */
export function formatQuantity(market: Market, qtyLots: number): string {
  return formatScaled(
    BigInt(qtyLots) * market.stepScaled,
    market.quantityScale,
    market.quantityDecimals,
  );
}

/** Writes minor units of an asset with `scale` decimals ("1.00000000" for 100000000n at 8). */
export function formatMinor(amountMinor: bigint, scale: number): string {
  return formatScaled(amountMinor, scale, scale);
}
