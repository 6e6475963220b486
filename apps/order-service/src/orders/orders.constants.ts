// Bounds of the order endpoints and the market registry, each with the reason for its number.

/**
 * Most orders in one batch request. A market maker refreshes a few hundred quotes at once;
 * 1,000 keeps one request's transaction (4 statements over unnest arrays) well under 100 ms.
 */
export const BATCH_ORDERS_MAX = 1_000;

/**
 * Largest page of any list endpoint. A page is one index range scan and about 600 bytes of JSON
 * per order, so 500 keeps a response near 300 kB and one request's hold on a pooled connection
 * short; a client that wants more follows the cursor.
 */
export const PAGE_SIZE_MAX = 500;

/** Page size when the request names none: a screenful of orders or trades, a fifth of the max. */
export const PAGE_SIZE_DEFAULT = 100;

/**
 * How often the markets are re-read, in milliseconds. A halt set by an operator reaches TX1
 * within this bound; the engine is the authority in the meantime and rejects with
 * MARKET_HALTED itself.
 */
export const MARKETS_REFRESH_INTERVAL_MS = 5_000;
