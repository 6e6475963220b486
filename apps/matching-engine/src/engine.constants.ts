// Named bounds of the matching-engine service, each with the reason for its value.

/**
 * Most input records one transaction carries. kafkajs hands over a fetch per partition (up to
 * about 1 MB, some thousands of commands); a larger batch is cut into transactions of this many,
 * so one commit never waits behind an unbounded amount of matching and output. Its output does
 * not have to fit one record batch: it goes out in sends of ENGINE_SEND_BYTES_MAX. Each
 * transaction costs about five round trips and one hash of each touched book, so larger is
 * cheaper per command; smaller leaves more chunks per fetch for the next chunk's matching to
 * overlap with the current transaction. See docs/performance.md, "Engine service".
 */
export const ENGINE_BATCH_COMMANDS_MAX = 2_000;

/**
 * Most record bytes per topic (so per partition) in one send of a transaction. The broker
 * refuses a record batch above max.message.bytes (1 MB by default, the topics do not raise it);
 * this leaves room for the batch header and for the estimate's slack. A result envelope is about
 * 0.5-1.5 KB, so this bound cuts a send only where ENGINE_SEND_MESSAGES_MAX would not.
 */
export const ENGINE_SEND_BYTES_MAX = 768 * 1024;

/**
 * Most characters of packed results in one record of `exchange.engine.results` (about 250
 * results of ~1 KB). JSON of at most three UTF-8 bytes per character keeps a record under 768 KB,
 * inside the broker's 1 MB limit, however exotic a client order id; most are ASCII and a third
 * of that.
 */
export const RESULTS_RECORD_BYTES_MAX = 256 * 1024;

/**
 * Most records per topic in one send of a transaction. kafkajs groups a send's records by
 * partition in time quadratic in the records per partition (it copies the partition's list for
 * each record), which with ~1 400 records per topic took some 10% of the leader's time; more,
 * smaller sends cost a round trip each, which the next chunk's matching overlaps.
 */
export const ENGINE_SEND_MESSAGES_MAX = 500;

/**
 * Commands matched between turns of the event loop while the previous transaction is in flight
 * (about 3 ms of work), so that its responses are handled promptly.
 */
export const ENGINE_MATCH_SLICE_COMMANDS = 100;

/**
 * How many of the newest committed records per results partition a new leader reads first, to
 * find the partition's last checkpoint and the commandIds that refill the domain's dedupe window
 * (COMMAND_DEDUPE_WINDOW_MAX in all, divided among the shard's partitions). A record packs up to
 * a few hundred results, so a few records usually suffice; the read widens until it has enough.
 * A duplicate comes from the outbox relay re-sending a recent batch, so it is never far from its
 * original.
 */
export const RESTORE_TAIL_RECORDS_MIN = 8;

/**
 * Longest the tail read of the results log may take. It reads at most the dedupe window's worth
 * of records; a takeover that cannot do that in this time has a broker problem and is retried.
 */
export const RESTORE_TAIL_READ_TIMEOUT_MS = 10_000;

/** How often a new leader polls settlement's checkpoints while it waits for settlement. */
export const SETTLEMENT_POLL_INTERVAL_MS = 50;

/** Pause before a leader retries a takeover that failed (broker, database or settlement wait). */
export const TAKEOVER_RETRY_DELAY_MS = 500;

/**
 * Session timeout of the engine's consumers (the leader's and a standby's), in milliseconds.
 *
 * kafkajs sends heartbeats only between fetches and batches, never from a timer of its own, so a
 * member stays in its group only while the gap between two of those calls is shorter than this.
 * An idle consumer's gap is the fetch wait (ENGINE_FETCH_WAIT_MS); a busy one calls heartbeat()
 * after every transaction. The old value, 6 s against kafkajs's default 5 s fetch wait, left 1 s
 * of slack: a quiet leader was dropped from its group now and then, and a rejoin used to lose its
 * place. Each leadership and each follow has a group of its own (no other member ever waits on a
 * dead one), so a long timeout costs nothing; 10 s is ten fetch waits, and above the broker's
 * group.min.session.timeout.ms (6 s).
 */
export const ENGINE_CONSUMER_SESSION_TIMEOUT_MS = 10_000;

/**
 * How often the engine's consumers heartbeat, at most, in milliseconds: on every fetch or batch
 * at least this long after the last one, so an idle member heartbeats about once a fetch wait.
 */
export const ENGINE_CONSUMER_HEARTBEAT_INTERVAL_MS = 1_000;

/**
 * The leader's longest fetch wait when no command arrives, in milliseconds (kafkajs waits 5 s by
 * default). Commands are returned as soon as they arrive whatever this is; it only sets how often
 * an idle leader heartbeats (see ENGINE_CONSUMER_SESSION_TIMEOUT_MS) and how long a stop waits
 * for the fetch in flight.
 */
export const ENGINE_FETCH_WAIT_MS = 1_000;

/**
 * How often the progress watchdog compares the end of the orders log with the leader's committed
 * positions, in milliseconds. A probe is one ListOffsets request on a kept-open admin connection.
 */
export const ENGINE_WATCHDOG_INTERVAL_MS = 1_000;

/**
 * Longest one watchdog probe (the orders log's end offsets) may take, in milliseconds; a probe
 * that does not answer in time measures nothing (it neither proves nor disproves progress).
 */
export const ENGINE_WATCHDOG_PROBE_TIMEOUT_MS = 5_000;

/**
 * How long a leader whose watchdog handed its lease over stays out of the campaign, in
 * milliseconds, so that the standby (which polls every renew interval) acquires the lease rather
 * than the process that just gave it up. With no standby the same process leads again after it.
 */
export const ENGINE_HANDOVER_HOLD_OFF_MS = 10_000;

/** Longest a leader waits for its in-flight transaction when it stops. */
export const SESSION_STOP_TIMEOUT_MS = 10_000;

/**
 * Most bytes of a snapshot per record: well under the broker's 1 MB record batch limit. A book
 * of 1 000 orders encodes to about 300 KB, so most snapshots are one record.
 */
export const SNAPSHOT_PART_BYTES_MAX = 512 * 1024;

/** Records from the end of the snapshots log a standby reads first (widened if none is whole). */
export const SNAPSHOT_TAIL_RECORDS_MIN = 16;

/**
 * How often a warm standby reads the shard's committed offsets: it applies commands only up to
 * them (what the leader has committed), so this bounds how far behind the leader it trails.
 */
export const FOLLOWER_POLL_INTERVAL_MS = 100;

/**
 * Most fetched commands a standby holds per partition beyond the leader's committed offsets;
 * past it the partition's fetching pauses until the leader moves on.
 */
export const FOLLOWER_BUFFER_COMMANDS_MAX = 50_000;

/**
 * Commands a standby replays between turns of the event loop (a few tens of milliseconds of
 * matching), so that its lease polls and HTTP answers stay prompt while it catches up.
 */
export const FOLLOWER_REPLAY_SLICE_COMMANDS = 2_000;

/** Pause before a standby that lost its warm book (or found no snapshot) tries again. */
export const FOLLOWER_RETRY_DELAY_MS = 1_000;

/** A standby's longest fetch wait when no command arrives (kafkajs waits 5 s by default). */
export const FOLLOWER_FETCH_WAIT_MS = 500;

/**
 * How often a warm standby compares the shard lease's fencing token with the one of the snapshot
 * it follows. A new leadership (another standby took over) restarts it from the new leader's
 * snapshot, so that it never follows a line the leader has left (a cold takeover has its own
 * dedupe window and restored-order ids).
 */
export const FOLLOWER_LINEAGE_CHECK_MS = 1_000;
