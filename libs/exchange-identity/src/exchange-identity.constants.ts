// Bounds and fixed values of the exchange identity check, each with the reason for its value.

/**
 * Exit code of a service that refuses to start because its database and its Kafka log belong to
 * different exchanges: EX_DATAERR from sysexits.h (the input data was incorrect). Distinct from 1
 * (a crash, worth restarting) and 78 (a bad setting), so that `npm run up`, an orchestrator or
 * an operator can tell that restarting will not help. scripts/up.mjs repeats the number.
 */
export const EXCHANGE_IDENTITY_MISMATCH_EXIT_CODE = 65;

/**
 * Longest a boot keeps retrying a check that failed for another reason than a mismatch (Kafka or
 * PostgreSQL not answering yet, the metadata topic not created yet), in milliseconds. About as
 * long as the database module rides out PostgreSQL starting beside it; past it the process exits
 * 1 with the last error instead of waiting without end.
 */
export const EXCHANGE_IDENTITY_BOOT_TIMEOUT_MS = 30_000;

/** Pause between two tries of the boot check: an infrastructure hiccup, not a tight loop. */
export const EXCHANGE_IDENTITY_RETRY_DELAY_MS = 1_000;

/**
 * Bound on reading the first record of the metadata topic: a consumer joins a group of its own
 * and fetches once. Locally that takes well under a second; a managed cluster delays the first
 * join of a new group by group.initial.rebalance.delay.ms (3 s by default).
 */
export const LOG_IDENTITY_READ_TIMEOUT_MS = 15_000;

/**
 * Retries of one end-offset lookup that a broker answered with a retriable error. Right after a
 * topic is created the broker may list itself as a partition's leader in its metadata a moment
 * before it serves that partition (NOT_LEADER_FOR_PARTITION), and kafkajs's admin does not retry
 * that; 20 tries 100 ms apart cover the moment without hiding a broker that stays wrong.
 */
export const LOG_OFFSETS_ATTEMPTS_MAX = 20;
export const LOG_OFFSETS_RETRY_DELAY_MS = 100;

/** The key of identity records on the metadata topic (the topic is keyed by record kind). */
export const IDENTITY_RECORD_KEY = 'exchange-identity';

/**
 * How many times the check reads the database, the log and the database again before it decides
 * on a pair whose database row kept changing meanwhile (another process's first boot binding
 * it). A first boot writes the row twice, so three reads settle it; the rest is margin.
 */
export const IDENTITY_OBSERVE_ATTEMPTS_MAX = 5;
