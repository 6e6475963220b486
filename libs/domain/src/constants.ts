// Named bounds of the matching core. Every limit the domain enforces lives here, with the reason
// for its value, so that order-service, settlement and the engine agree on one number.

/**
 * Largest price, in ticks, the book accepts. Prices are JS numbers inside the book, so they must
 * stay exact integers; anything above this cannot be represented without rounding.
 */
export const PRICE_TICKS_MAX = Number.MAX_SAFE_INTEGER;

/** Largest quantity, in lots, the book accepts; same reason as PRICE_TICKS_MAX. */
export const QUANTITY_LOTS_MAX = Number.MAX_SAFE_INTEGER;

/**
 * Largest quote or base amount, in minor units, that a command may carry or an order may lock.
 * It is the PostgreSQL BIGINT maximum, so every amount the engine reports fits a BIGINT column.
 */
export const AMOUNT_MINOR_MAX = 2n ** 63n - 1n;

/**
 * Longest decimal string the parsers read. 64 characters covers any amount up to AMOUNT_MINOR_MAX
 * at scale 18; a longer string is rejected before it can cost a large bigint conversion.
 */
export const DECIMAL_TEXT_LENGTH_MAX = 64;

/** Largest decimal scale of an asset. 18 is the largest in common use (ERC-20 tokens). */
export const ASSET_SCALE_MAX = 18;

/** Fee rates are integer parts per million; 1,000,000 ppm is 100 %, the largest sane rate. */
export const FEE_RATE_PPM_MAX = 1_000_000;

/** Denominator of fee rates: a rate of 1,000 ppm is 0.1 % (10 bps). */
export const PPM_DENOMINATOR = 1_000_000;

/**
 * Longest identifier (commandId, orderId, userId, clientOrderId, symbol) the engine accepts.
 * Identifiers are map keys held for the life of an order; 64 characters fits a UUID with a prefix.
 */
export const ID_LENGTH_MAX = 64;

/**
 * How many recent commandIds the engine remembers to recognise a redelivered command. A duplicate
 * comes from the outbox relay re-sending its last batch after a crash, so it reaches back at most
 * a few relay batches (at most 2,000 messages each, OUTBOX_BATCH_MESSAGES_MAX in libs/outbox,
 * since a row may carry a whole order batch); 16,384 covers 8 of them. The window is
 * checked on every command, so it is kept small: its table is 128 KB, and at 100,000 ids the
 * lookups alone once cost a third of the engine's throughput. It is also CommandIdWindow's
 * ceiling, whose entries keep arrival numbers in 16 bits.
 */
export const COMMAND_DEDUPE_WINDOW_MAX = 16_384;

/**
 * Most live orders (resting plus pending stop) one market holds. A bound on memory per book: a
 * million orders is about 300 MB with their index, beyond any honest book; more is rejected
 * with BOOK_FULL rather than risking the process.
 */
export const ORDERS_PER_BOOK_MAX = 1_000_000;

/** Most markets one engine holds. A shard holds a handful of symbols; 1,024 bounds the map. */
export const MARKETS_PER_ENGINE_MAX = 1_024;

/**
 * Most retired order nodes a book keeps for reuse. Reusing nodes keeps the place-and-cancel churn
 * near the top of the book from allocating (and from promoting young objects); 65,536 nodes is
 * far more than one burst of churn retires and costs about 10 MB at most.
 */
export const ORDER_NODE_POOL_MAX = 65_536;
