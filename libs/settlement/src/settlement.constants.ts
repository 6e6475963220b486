// Named bounds of settlement (TX2), each with the reason for its number.

/**
 * Engine results applied in one database transaction. A result carries a handful of trades and
 * order updates, so 2 000 results are roughly 10 000 to 30 000 rows over a few statements: tens
 * of milliseconds of work, far inside the 10 s statement timeout, while the row locks of one
 * transaction are held briefly enough that order entry (TX1) on the same balances barely waits.
 * A larger Kafka batch is split into several transactions of this size, in order.
 */
export const SETTLEMENT_BATCH_EVENTS_MAX = 2_000;

/**
 * Bytes of one partition's records one fetch may return. kafkajs's default (1 MiB) holds about
 * 500 one-trade results (about 2 kB each), so every transaction settled a quarter of
 * SETTLEMENT_BATCH_EVENTS_MAX and paid the per-transaction costs (touched orders, balances,
 * outbox rows, commit) four times as often. 16 MiB holds several full transactions, so the
 * database also waits for fewer fetches (the benchmark was about 15 % faster than with 8 MiB,
 * within its noise); the consumer decodes a chunk at a time, so its buffered records stay at
 * SETTLEMENT_PARTITIONS_CONCURRENT_MAX x 16 MiB of raw bytes plus one decoded chunk each.
 */
export const SETTLEMENT_FETCH_PARTITION_BYTES_MAX = 16 * 1024 * 1024;

/**
 * Attempts of one transaction that failed for a transient reason (a deadlock or a serialization
 * failure, which canonical lock ordering should make impossible, or the fencing lock upgrade).
 * Past this the error goes to the consumer, which backs off and re-reads the batch.
 */
export const SETTLEMENT_TX_ATTEMPTS_MAX = 5;

/** Backoff after a failed batch before Kafka redelivers it: long enough not to spin on a bug. */
export const SETTLEMENT_RETRY_BACKOFF_MS = 1_000;

/** Consumer group of settlement: one group per ledger database (see settlementGroupId). */
export const SETTLEMENT_GROUP_PREFIX = 'order-service.settlement';

/** Rows of each kind an audit report lists per violated check; the count is always complete. */
export const AUDIT_SAMPLE_ROWS_MAX = 10;

/**
 * Partitions one consumer settles at the same time, each in its own transaction (and pool
 * connection). Partitions never deadlock each other (canonical lock order), and beyond a few the
 * database's CPU, not the consumer, is the limit; 4 stays well inside the default pool of 20.
 */
export const SETTLEMENT_PARTITIONS_CONCURRENT_MAX = 4;

/**
 * Default bound on how long the results log may stay ahead of a partition's checkpoint without
 * the checkpoint moving before health and metrics call settlement stalled (order-service's
 * SETTLEMENT_STALL_MS overrides it). A healthy settlement pauses longer than a batch only when
 * its partitions change hands: after a member crashes, the group waits out the session timeout
 * (SETTLEMENT_SESSION_TIMEOUT_MS, 10 s by default) and then rebalances in a second or two; a
 * failed batch retries after 1 s. 15 s clears those and still tells an operator within a quarter
 * of a minute. Raise it along with a longer session timeout.
 */
export const SETTLEMENT_STALL_MS = 15_000;

/**
 * How often the progress guard compares checkpoints with the results log: one ListOffsets and
 * one indexed SELECT, so once a second costs nothing and resolves a stall to about a second.
 */
export const SETTLEMENT_PROGRESS_POLL_MS = 1_000;

/**
 * Bound on one progress poll (the ListOffsets and the SELECT, including a reconnect). Both take
 * milliseconds; a broker connect may take up to KAFKA_CONNECTION_TIMEOUT_MS (3 s) on a loaded
 * machine. A poll slower than this is a failed poll: it does not count as progress.
 */
export const SETTLEMENT_PROGRESS_POLL_TIMEOUT_MS = 5_000;
