/**
 * Named bounds of the Kafka clients. Each says why it has its value; change them here only.
 */

/** TCP connect to a broker. Loopback answers in microseconds; a managed cluster within 1 s. */
export const KAFKA_CONNECTION_TIMEOUT_MS = 3_000;

/**
 * One Kafka request. A transactional commit waits for markers on every partition of the
 * transaction, and a group join waits for the rebalance, so this must exceed both.
 */
export const KAFKA_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Client-level retries of retriable errors (leader moved, coordinator loading, broker gone).
 * 100 ms doubling to 5 s over 8 tries covers about 15 s: a broker restart, not an outage, after
 * which the error reaches the caller instead of hanging the process.
 */
export const KAFKA_RETRY_INITIAL_MS = 100;
export const KAFKA_RETRY_MAX_MS = 5_000;
export const KAFKA_RETRIES_MAX = 8;

/**
 * Delay of kafkajs's request-queue check when the connection is not throttled and nothing is
 * pending: 1 ms, what Node.js makes of the negative delay kafkajs asks for (kafkajs-timeout-guard.ts).
 */
export const KAFKAJS_UNTHROTTLED_CHECK_DELAY_MS = 1;

/**
 * How long the broker lets a transaction stay open before it aborts it. An open transaction of
 * a crashed engine holds back every read_committed consumer of its partitions until then, unless
 * a standby fences it sooner (which it does on takeover); one engine batch takes milliseconds.
 */
export const TRANSACTION_TIMEOUT_MS_DEFAULT = 30_000;

/** Bound on topic creation until every partition has a leader in the broker's metadata. */
export const TOPIC_READY_TIMEOUT_MS = 30_000;

/** Pause between metadata polls while waiting for new topics. */
export const TOPIC_READY_POLL_MS = 100;

/**
 * Upper bound on a topic's partition count. Symbols are sharded over partitions and each shard
 * runs its own engine pair; more than this is a configuration mistake, not a deployment.
 */
export const TOPIC_PARTITIONS_MAX = 256;

/** One health probe (connect + DescribeCluster); a load balancer's probe waits about 5 s. */
export const KAFKA_HEALTH_TIMEOUT_MS = 2_000;

/**
 * First retry delay of a transactional producer. Right after a commit returns, the coordinator
 * is still writing the commit markers and answers the next AddPartitionsToTxn with
 * CONCURRENT_TRANSACTIONS; kafkajs retries that after this delay. At the client-wide 100 ms, back-to-back
 * transactions took ~50 ms each on the local broker; at 10 ms, ~13 ms.
 */
export const TRANSACTION_RETRY_INITIAL_MS = 10;
