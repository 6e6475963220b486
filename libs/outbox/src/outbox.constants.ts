// Named bounds and defaults of the transactional outbox, each with the reason for its number.

/** The channel `writeOutbox` notifies at commit and the relay listens on. */
export const OUTBOX_CHANNEL = 'outbox';

/** Lock name of the default outbox; one relay holding it publishes, every other one waits. */
export const OUTBOX_LOCK_NAME_DEFAULT = 'outbox-relay';

/**
 * Rows one INSERT statement of `writeOutbox` carries. Batch ingestion writes thousands of rows
 * per transaction; at this size the parameter arrays stay a few megabytes and the statement takes
 * tens of milliseconds, far inside the 10 s statement timeout. Larger writes are split into
 * several statements of the same transaction.
 */
export const OUTBOX_WRITE_STATEMENT_ROWS_MAX = 5_000;

/**
 * Messages one multi-message outbox row holds at most (`writeOutbox` with `pack`). One order
 * batch (`BATCH_ORDERS_MAX`, 1 000 orders) then needs a single row; a larger write of one topic
 * is cut into several rows.
 */
export const OUTBOX_ROW_MESSAGES_MAX = 1_000;

/**
 * Bytes of one multi-message row's payload at most (the frame: keys, headers and values). The
 * relay sends a row's messages in one request, and each partition's record batch must stay under
 * the broker's `message.max.bytes` (1 MiB by default); 768 KiB leaves room for Kafka's own
 * per-record framing and the `x-outbox-id` header. A 1 000-order batch is about 450 KiB.
 */
export const OUTBOX_ROW_BYTES_MAX = 768 * 1024;

/**
 * Rows the relay reads, sends to Kafka and deletes as one batch. Big enough to amortise the
 * round trips when a batch ingestion leaves thousands of rows; small enough that one Kafka
 * request stays well under the broker's 1 MB default message batch limit for typical commands
 * (a few hundred bytes each) and a graceful stop waits for at most one such batch.
 */
export const OUTBOX_BATCH_ROWS_MAX = 500;

/**
 * Messages (Kafka records) of one relay batch at most; a multi-message row counts each of its
 * messages. The first row always goes, whatever its size, so a full 1 000-message row is never
 * stuck; further rows join only while the batch stays within this bound and the byte bound.
 */
export const OUTBOX_BATCH_MESSAGES_MAX = 2_000;

/**
 * Stored bytes of one relay batch at most (payloads, keys and headers as PostgreSQL stores
 * them), for the same reason as `OUTBOX_ROW_BYTES_MAX`: every partition's record batch of one
 * request stays under the broker's 1 MiB `message.max.bytes`. 500 single rows of typical
 * commands (a few hundred bytes each) stay well inside it, as before.
 */
export const OUTBOX_BATCH_BYTES_MAX = 768 * 1024;

/**
 * Fallback poll of an idle active relay. NOTIFY normally wakes it within milliseconds; the poll
 * only covers a lost notification (the LISTEN connection was replaced) or rows written by a
 * writer that does not notify, so a few seconds of worst-case lag is acceptable.
 */
export const OUTBOX_POLL_INTERVAL_MS = 2_000;

/**
 * Retry delay while committed rows are held back by an older transaction that is still running
 * (see the ordering argument in outbox-relay.ts). That transaction's commit sends no
 * notification if it wrote no outbox rows, so the relay looks again soon; one indexed query per
 * tick is cheap.
 */
export const OUTBOX_BLOCKED_RETRY_MS = 100;

/**
 * How often a standby relay tries to take the lock. The lock is freed at once when the active
 * relay stops or its connection ends, so this is the failover delay.
 */
export const OUTBOX_STANDBY_RETRY_MS = 1_000;

/**
 * Backoff after a failed round (Kafka or PostgreSQL error): starts here and doubles per
 * consecutive failure up to the maximum, so an outage costs a request every 10 s rather than a
 * tight loop, and recovery is noticed within 10 s.
 */
export const OUTBOX_BACKOFF_INITIAL_MS = 200;
export const OUTBOX_BACKOFF_MAX_MS = 10_000;

/**
 * Attempts kafkajs makes for one batch before the relay sees the error (100 ms doubling to 5 s:
 * about 10 s). The relay then discards the producer and retries the same rows with a fresh one,
 * because a retried idempotent producer that reuses a sequence number for different records may
 * drop them as duplicates; bounded here, the relay's own backoff takes over.
 */
export const OUTBOX_SEND_RETRIES_MAX = 5;

/**
 * Server-side bound on each relay statement. Its queries are indexed and return at most one
 * batch; a slower one is a stuck lock and should fail and be retried, not hang the relay.
 */
export const OUTBOX_STATEMENT_TIMEOUT_MS = 10_000;

/**
 * How often the active relay refreshes the pending-rows and oldest-age gauges. A count over the
 * unpublished rows is cheap but not free when a backlog builds up; once a second is plenty for a
 * 15 s scrape interval.
 */
export const OUTBOX_STATS_INTERVAL_MS = 1_000;

/**
 * Header the relay adds to every record, for tracing: which outbox message it is. `<id>` (the
 * row id) for a single-message row, `<id>:<n>` for message n (from 0) of a multi-message row.
 * Within a key, first copies arrive in (id, n) order. Consumers deduplicate by `x-command-id`.
 */
export const OUTBOX_ID_HEADER = 'x-outbox-id';
