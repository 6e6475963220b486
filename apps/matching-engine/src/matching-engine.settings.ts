import { hostname } from 'node:os';
import { IsBoolean, IsInt, Matches, Max, Min } from 'class-validator';
import { BaseSettings, ToBoolean, ToInt, withDatabase, withKafka } from '@app/config';

/** matching-engine reads these environment variables (see README, Configuration). */
export class MatchingEngineSettings extends withKafka(withDatabase(BaseSettings)) {
  override PORT = 3002;

  /** The shard (set of order partitions) this process serves; one lease per shard. */
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(1023)
  ENGINE_SHARD = 0;

  /**
   * How many shards split the order partitions: shard n serves every partition p with
   * p % ENGINE_SHARDS = n. 1 (the default) means one shard serves all partitions.
   */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(1024)
  ENGINE_SHARDS = 1;

  /**
   * Longest a new leader waits for settlement to apply every committed engine result before it
   * restores the book from the database, in milliseconds; past it the takeover is retried.
   */
  @ToInt()
  @IsInt()
  @Min(100)
  @Max(600_000)
  ENGINE_SETTLEMENT_WAIT_MS = 30_000;

  /**
   * Whether each transaction's checkpoint header carries the state hash of the books it
   * changed (a new leader compares its restored books against it). Costs one pass over each
   * touched book per transaction.
   */
  @ToBoolean()
  @IsBoolean()
  ENGINE_CHECKPOINT_HASH = true;

  /**
   * How often the leader adds a snapshot of its book (with the input offsets it covers) to one of
   * its transactions, in milliseconds; also once at every takeover. A warm standby starts from the
   * newest and replays the commands after it, so this bounds that replay. 0 writes none, which
   * leaves standbys cold.
   */
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  ENGINE_SNAPSHOT_INTERVAL_MS = 5_000;

  /**
   * Whether this process, while standby, keeps a warm book: the leader's newest snapshot plus the
   * commands the leader has committed since. A takeover then checks that book against the log
   * and skips the settlement wait and the database restore; false always restores cold.
   */
  @ToBoolean()
  @IsBoolean()
  ENGINE_WARM_STANDBY = true;

  /**
   * Longest a new leader waits for its warm book to reach the committed offsets (the commands the
   * old leader committed since the standby's last poll), in milliseconds; past it the takeover
   * restores from the database instead. The standby trails the leader by about one poll of the
   * offsets, so this is mostly slack for a loaded machine.
   */
  @ToInt()
  @IsInt()
  @Min(100)
  @Max(600_000)
  ENGINE_WARM_HANDOFF_TIMEOUT_MS = 5_000;

  /**
   * The progress watchdog's bound, in milliseconds: a leader whose committed position on some
   * partition has not moved for this long while the orders log holds commands past it is stalled.
   * It says so (readiness, metrics, one error log), restarts its session from the committed
   * offsets, and hands the lease over if the next session stalls too. Well above a transaction's
   * worst time (a second or two on a loaded machine), well below what a trader would wait.
   */
  @ToInt()
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  ENGINE_STALL_TIMEOUT_MS = 10_000;

  /**
   * Exposes POST /engine/faults/stall, which freezes the leader's consumer (for failure tests of
   * the watchdog). Never set in production.
   */
  @ToBoolean()
  @IsBoolean()
  ENGINE_FAULT_HOOKS = false;

  /** Names this process in the lease row and in logs; unique per process. */
  @Matches(/^[A-Za-z0-9._:-]{1,64}$/, { message: 'must be 1-64 letters, digits or ._:-' })
  ENGINE_INSTANCE_ID = `${hostname()}-${process.pid}`;

  /** How long a lease lasts without renewal, in milliseconds (database time). */
  @ToInt()
  @IsInt()
  @Min(500)
  @Max(60_000)
  LEASE_TTL_MS = 3_000;

  /** How often the holder renews, in milliseconds; well inside the TTL. */
  @ToInt()
  @IsInt()
  @Min(100)
  @Max(20_000)
  LEASE_RENEW_INTERVAL_MS = 1_000;
}
