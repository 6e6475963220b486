// The warm standby: while another process leads the shard, keep a book identical to the leader's
// as of its last committed transaction, so that a takeover needs neither the settlement wait nor
// the database restore. It restores the leader's newest committed snapshot, then replays the
// command log from the snapshot's input offsets, never past the offsets the leader has committed
// (its output for those is in the log; anything later may still be matched by the leader, or by
// this process once it leads, and must then be published, not silently applied).
//
// The engine's output is a pure function of its input per market, so replaying the same commands
// in the same per-partition order yields the same books. A new leader still checks the warm book
// against the state hash of the log's last checkpoint before it uses it, and restores from the
// database when anything is off.
import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { createMarket, MatchingEngine } from '@app/domain';
import type { Queryable } from '@app/database';
import {
  TOPICS,
  createReadCommittedConsumer,
  type ShardSnapshot,
  type TopicNames,
} from '@app/messaging';
import type { Logger } from '@app/observability';
import {
  ENGINE_CONSUMER_HEARTBEAT_INTERVAL_MS,
  ENGINE_CONSUMER_SESSION_TIMEOUT_MS,
  FOLLOWER_BUFFER_COMMANDS_MAX,
  FOLLOWER_FETCH_WAIT_MS,
  FOLLOWER_LINEAGE_CHECK_MS,
  FOLLOWER_POLL_INTERVAL_MS,
  FOLLOWER_REPLAY_SLICE_COMMANDS,
  FOLLOWER_RETRY_DELAY_MS,
  SESSION_STOP_TIMEOUT_MS,
} from '../engine.constants';
import { applyCommandRecord } from '../pipeline/command-stages';
import {
  shardAssigner,
  shardCommittedOffsets,
  shardPartitions,
  symbolPartition,
} from '../pipeline/shard';
import { readLatestSnapshot } from '../pipeline/snapshot';
import type { EngineMetrics } from '../engine.metrics';
import type { MatchingEngineSettings } from '../matching-engine.settings';

/** A book handed to a new leader, exactly as of the committed offsets it was asked for. */
export interface WarmBook {
  readonly engine: MatchingEngine;
  readonly restoredOrderIds: ReadonlySet<string>;
}

/** What a standby works with: the broker, the lease row (read only), and where to report. */
export interface FollowerDeps {
  readonly kafka: Kafka;
  /** Reads the shard lease's fencing token and holder; the follower never writes. */
  readonly db: Queryable;
  readonly settings: MatchingEngineSettings;
  readonly topics: TopicNames;
  readonly logger: Logger;
  readonly metrics: EngineMetrics;
}

type Phase = 'stopped' | 'bootstrapping' | 'following' | 'handing-off';

interface Following {
  readonly engine: MatchingEngine;
  /** The consumer's group: one per follow, so a new follow never waits on an old member. */
  readonly groupId: string;
  /** Reads the shard's committed offsets every poll; one connection for the whole follow. */
  readonly admin: Admin;
  readonly restoredOrderIds: ReadonlySet<string>;
  readonly snapshotToken: string;
  readonly consumer: Consumer;
  readonly positions: Map<number, bigint>;
  /** Fetched commands not yet applied, in offset order, per partition. */
  readonly buffers: Map<number, KafkaMessage[]>;
  /** Next offset to buffer per partition (a refetch after a rebalance repeats records). */
  readonly fetched: Map<number, bigint>;
  readonly paused: Set<number>;
  /** The leader's committed offsets: the replay never passes them. */
  limits: Map<number, bigint>;
  /**
   * Set when the book can no longer follow: a fetch skipped offsets (the log was truncated past
   * the snapshot, say; the relay's producer is not transactional, so the command log has no gaps
   * of its own) or the consumer crashed. The standby then restores again.
   */
  gap?: string;
}

export class EngineFollower {
  private phase: Phase = 'stopped';
  /** Bumped by every start and stop: a bootstrap that finds it changed gives up. */
  private generation = 0;
  private following: Following | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private draining = false;
  /** Date.now() of the last comparison of the lease's token with the followed snapshot's. */
  private lineageCheckedAt = 0;
  /** The last release's consumer disconnect; a new bootstrap waits for it (same group id). */
  private releasing: Promise<void> = Promise.resolve();
  private readonly groupBase: string;
  private readonly ordersTopic: string;
  private readonly snapshotsTopic: string;
  private readonly labels: { shard: string };
  /** Follows started so far; names each follow's consumer group. */
  private follows = 0;

  constructor(private readonly deps: FollowerDeps) {
    const { settings, topics } = deps;
    this.groupBase = `${settings.KAFKA_TOPIC_PREFIX}engine-shard-${settings.ENGINE_SHARD}`;
    this.ordersTopic = topics.of(TOPICS.orders.logical);
    this.snapshotsTopic = topics.of(TOPICS.engineSnapshots.logical);
    this.labels = { shard: String(settings.ENGINE_SHARD) };
  }

  /** What GET /engine/state shows of the standby's book. */
  status(): {
    phase: Phase;
    snapshotToken?: string;
    positions?: Record<string, string>;
    lag?: number;
  } {
    const following = this.following;
    if (following === undefined) return { phase: this.phase };
    let lag = 0;
    for (const [partition, limit] of following.limits) {
      const position = following.positions.get(partition) ?? 0n;
      if (limit > position) lag += Number(limit - position);
    }
    return {
      phase: this.phase,
      snapshotToken: following.snapshotToken,
      positions: Object.fromEntries(
        [...following.positions].map(([p, o]) => [String(p), o.toString()]),
      ),
      lag,
    };
  }

  /** Starts following (no-op while already started). */
  start(): void {
    if (this.phase !== 'stopped') return;
    this.phase = 'bootstrapping';
    const generation = ++this.generation;
    void this.bootstrap(generation);
  }

  /** Stops following and drops the book. */
  async stop(): Promise<void> {
    this.generation += 1;
    this.phase = 'stopped';
    clearTimeout(this.retryTimer);
    await this.release();
  }

  /**
   * Hands the book to a new leader once it has applied every command before `committed` (the
   * shard's committed offsets, final now that the previous producer is fenced). Returns undefined,
   * and stops following, when there is no warm book or it cannot get there within `timeoutMs`;
   * the leader then restores from the database. The follower is stopped afterwards either way.
   */
  async handOff(
    committed: ReadonlyMap<number, bigint>,
    timeoutMs: number,
  ): Promise<WarmBook | undefined> {
    const following = this.following;
    if (this.phase !== 'following' || following === undefined) {
      await this.stop();
      return undefined;
    }
    this.phase = 'handing-off';
    clearTimeout(this.pollTimer);
    following.limits = new Map(committed);
    const deadline = Date.now() + timeoutMs;
    const reached = () =>
      [...committed].every(([p, limit]) => (following.positions.get(p) ?? 0n) >= limit);
    try {
      for (;;) {
        if (following.gap !== undefined) {
          this.deps.logger.warn({ gap: following.gap }, 'warm book missed commands');
          return undefined;
        }
        try {
          await this.drain(following);
        } catch (error) {
          this.deps.logger.warn({ err: error }, 'warm book cannot reach the committed offsets');
          return undefined;
        }
        if (this.following !== following) return undefined;
        if (reached()) break;
        if (Date.now() > deadline) {
          this.deps.logger.warn(this.status(), 'warm book did not reach the committed offsets');
          return undefined;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      for (const [p, position] of following.positions) {
        const limit = committed.get(p) ?? 0n;
        if (position !== limit) {
          this.deps.logger.error(
            { partition: p, position: position.toString(), committed: limit.toString() },
            'warm book is past the committed offsets',
          );
          return undefined;
        }
      }
      return { engine: following.engine, restoredOrderIds: following.restoredOrderIds };
    } finally {
      this.generation += 1;
      this.phase = 'stopped';
      // Not awaited: the consumer's disconnect waits out its fetch in flight, and the takeover
      // must not. The book is detached at once (this.following is cleared synchronously).
      void this.release();
    }
  }

  private async bootstrap(generation: number): Promise<void> {
    const stale = () => generation !== this.generation;
    try {
      await this.releasing;
      if (stale()) return;
      const following = await this.restore(stale);
      if (following === undefined || stale()) {
        if (following !== undefined) await this.disconnect(following);
        if (!stale()) this.retry(generation);
        return;
      }
      this.following = following;
      this.phase = 'following';
      this.deps.metrics.standbyWarm.set(this.labels, 1);
      this.deps.logger.info(
        { positions: this.status().positions, snapshotToken: following.snapshotToken },
        'standby book restored from the leader snapshot; following the command log',
      );
      await this.poll(generation);
    } catch (error) {
      if (stale()) return;
      this.deps.logger.warn({ err: error }, 'standby could not restore a warm book; retrying');
      await this.release();
      this.retry(generation);
    }
  }

  private retry(generation: number): void {
    // A stop or hand-off during the release that preceded this call wins.
    if (generation !== this.generation) return;
    this.phase = 'bootstrapping';
    this.retryTimer = setTimeout(() => {
      if (generation === this.generation) void this.bootstrap(generation);
    }, FOLLOWER_RETRY_DELAY_MS);
  }

  /** Restores the newest snapshot and starts fetching commands after it; undefined if none. */
  private async restore(stale: () => boolean): Promise<Following | undefined> {
    const { kafka, settings } = this.deps;
    const snapshot = await readLatestSnapshot(
      kafka,
      this.snapshotsTopic,
      settings.ENGINE_SHARD,
      `${this.groupBase}.snapshot-read.${settings.ENGINE_INSTANCE_ID}`,
    );
    if (snapshot === undefined || stale()) return undefined;
    // Follow only the current leadership's line: a snapshot of an earlier one may carry another
    // dedupe window and other restored-order ids than the leader works with now (after a cold
    // takeover). A new leader writes its snapshot before it consumes, so this waits a moment.
    const lease = await this.lease();
    if (lease.token !== snapshot.fencingToken) {
      this.deps.logger.info(
        { snapshotToken: snapshot.fencingToken, leaseToken: lease.token },
        'newest snapshot is from an earlier leadership; waiting for the current one',
      );
      return undefined;
    }
    const partitionCount = await this.partitionCount();
    const partitions = shardPartitions(
      settings.ENGINE_SHARD,
      settings.ENGINE_SHARDS,
      partitionCount,
    );
    // The leader's markets, as it built its engine (the database may hold others by now).
    const markets = snapshot.markets.map((spec) => createMarket(spec));
    for (const market of markets) {
      if (!partitions.includes(symbolPartition(market.symbol, partitionCount)))
        throw new Error(`snapshot market ${market.symbol} is not on this shard's partitions`);
    }
    const engine = new MatchingEngine({ markets });
    engine.restore(snapshot.engine);
    checkSnapshotHashes(engine, snapshot);
    const positions = new Map<number, bigint>();
    for (const p of partitions) positions.set(p, BigInt(snapshot.inputOffsets[String(p)] ?? '0'));
    if (stale()) return undefined;
    this.follows += 1;
    const groupId = `${this.groupBase}.follower.${settings.ENGINE_INSTANCE_ID}.${this.follows}`;
    const consumer = createReadCommittedConsumer(kafka, {
      groupId,
      partitionAssigners: [shardAssigner(settings.ENGINE_SHARD, settings.ENGINE_SHARDS)],
      sessionTimeout: ENGINE_CONSUMER_SESSION_TIMEOUT_MS,
      heartbeatInterval: ENGINE_CONSUMER_HEARTBEAT_INTERVAL_MS,
      // Fetches return within this when there is nothing new, which bounds how long a stop
      // (a takeover's or a shutdown's) waits for the fetch in flight.
      maxWaitTimeInMs: FOLLOWER_FETCH_WAIT_MS,
    });
    const admin = kafka.admin();
    const following: Following = {
      engine,
      groupId,
      admin,
      restoredOrderIds: new Set(snapshot.restoredOrderIds),
      snapshotToken: snapshot.fencingToken,
      consumer,
      positions,
      buffers: new Map(partitions.map((p) => [p, []])),
      fetched: new Map(positions),
      paused: new Set(),
      limits: new Map(positions),
    };
    try {
      await admin.connect();
      await consumer.connect();
      // A consumer that gives up (kafkajs stops retrying) leaves the book behind for good.
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        following.gap ??= `consumer crashed: ${String(payload.error)}`;
      });
      // The group commits nothing, so every join (a rejoin too) starts kafkajs at the beginning
      // of the log: seek to what this follow has fetched, before the join's first fetch, rather
      // than read the whole log again (onFetched would skip it, slowly).
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        for (const partition of payload.memberAssignment[this.ordersTopic] ?? []) {
          const offset = following.fetched.get(partition);
          if (offset !== undefined)
            consumer.seek({ topic: this.ordersTopic, partition, offset: offset.toString() });
        }
      });
      await consumer.subscribe({ topic: this.ordersTopic, fromBeginning: true });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => this.onFetched(following, batch.partition, batch.messages),
    });
    return following;
  }

  private onFetched(following: Following, partition: number, messages: KafkaMessage[]): void {
    const buffer = following.buffers.get(partition);
    if (buffer === undefined) return;
    let next = following.fetched.get(partition) ?? 0n;
    for (const message of messages) {
      const offset = BigInt(message.offset);
      if (offset < next) continue;
      if (offset > next && following.gap === undefined)
        following.gap = `partition ${partition} jumped from offset ${next} to ${offset}`;
      buffer.push(message);
      next = offset + 1n;
    }
    following.fetched.set(partition, next);
    if (buffer.length >= FOLLOWER_BUFFER_COMMANDS_MAX && !following.paused.has(partition)) {
      following.paused.add(partition);
      following.consumer.pause([{ topic: this.ordersTopic, partitions: [partition] }]);
    }
  }

  /** Reads the leader's committed offsets and replays up to them, until stopped. */
  private async poll(generation: number): Promise<void> {
    const following = this.following;
    if (following === undefined || generation !== this.generation) return;
    if (this.phase !== 'following') return;
    try {
      if (following.gap !== undefined) throw new Error(`command log gap: ${following.gap}`);
      if (Date.now() - this.lineageCheckedAt >= FOLLOWER_LINEAGE_CHECK_MS) {
        this.lineageCheckedAt = Date.now();
        const lease = await this.lease();
        if (generation !== this.generation || this.phase !== 'following') return;
        // This process's own acquisition changes the token too: its session takes the book.
        if (lease.token !== following.snapshotToken && !lease.mine) {
          this.deps.logger.info(
            { snapshotToken: following.snapshotToken, leaseToken: lease.token },
            'a new leadership began; the standby restores from its snapshot',
          );
          await this.release();
          this.retry(generation);
          return;
        }
      }
      const limits = await shardCommittedOffsets(
        following.admin,
        this.groupBase,
        this.ordersTopic,
        [...following.positions.keys()],
      );
      // A hand-off may have begun meanwhile and set the final limits: never lower them.
      if (generation !== this.generation || this.phase !== 'following') return;
      following.limits = limits;
      await this.drain(following);
    } catch (error) {
      if (generation !== this.generation || this.phase !== 'following') return;
      this.deps.logger.warn({ err: error }, 'standby lost its warm book; restoring again');
      await this.release();
      this.retry(generation);
      return;
    }
    if (generation === this.generation && this.phase === 'following')
      this.pollTimer = setTimeout(() => void this.poll(generation), FOLLOWER_POLL_INTERVAL_MS);
  }

  /** Applies buffered commands below the limits, a slice at a time. */
  private async drain(following: Following): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (const [partition, buffer] of following.buffers) {
        const limit = following.limits.get(partition) ?? 0n;
        let position = following.positions.get(partition) ?? 0n;
        let taken = 0;
        while (taken < buffer.length && BigInt(buffer[taken].offset) < limit) {
          const message = buffer[taken];
          const offset = BigInt(message.offset);
          // The command log has no gaps of its own: anything but the next offset means commands
          // were skipped or repeated, and the book would no longer be the leader's.
          if (offset !== position)
            throw new Error(
              `partition ${partition}: command offset ${offset}, expected ${position}`,
            );
          applyCommandRecord(following.engine, message, following.restoredOrderIds);
          position = offset + 1n;
          taken += 1;
          if (taken % FOLLOWER_REPLAY_SLICE_COMMANDS === 0) {
            following.positions.set(partition, position);
            await new Promise((resolve) => setImmediate(resolve));
            if (this.following !== following) return;
          }
        }
        // A command log without gaps below the limit: the committed offset follows the last
        // command the leader applied.
        if (taken > 0) buffer.splice(0, taken);
        following.positions.set(partition, position);
        this.deps.metrics.standbyCommands.inc(this.labels, taken);
        if (following.paused.has(partition) && buffer.length < FOLLOWER_BUFFER_COMMANDS_MAX / 2) {
          following.paused.delete(partition);
          following.consumer.resume([{ topic: this.ordersTopic, partitions: [partition] }]);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * The shard lease's fencing token now (it changes with every new leadership) and whether this
   * process holds it.
   */
  private async lease(): Promise<{ token: string; mine: boolean }> {
    const { ENGINE_SHARD, ENGINE_INSTANCE_ID } = this.deps.settings;
    const rows = (await this.deps.db.query(
      `SELECT token::text AS token, holder FROM leases WHERE name = $1`,
      [`engine-shard-${ENGINE_SHARD}`],
    )) as { token: string; holder: string | null }[];
    return { token: rows[0]?.token ?? '0', mine: rows[0]?.holder === ENGINE_INSTANCE_ID };
  }

  private async partitionCount(): Promise<number> {
    const admin = this.deps.kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [this.ordersTopic] });
      return topics[0].partitions.length;
    } finally {
      await admin.disconnect();
    }
  }

  private release(): Promise<void> {
    clearTimeout(this.pollTimer);
    this.deps.metrics.standbyWarm.set(this.labels, 0);
    const following = this.following;
    this.following = undefined;
    if (following === undefined) return this.releasing;
    const previous = this.releasing;
    this.releasing = (async () => {
      await previous;
      await this.disconnect(following);
    })();
    return this.releasing;
  }

  private async disconnect(following: Following): Promise<void> {
    await following.admin.disconnect().catch(() => undefined);
    await Promise.race([
      following.consumer.disconnect().catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, SESSION_STOP_TIMEOUT_MS).unref()),
    ]);
    const admin = this.deps.kafka.admin();
    await admin.connect().catch(() => undefined);
    await admin.deleteGroups([following.groupId]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

/** The restored books must hash as the leader's did when it wrote the snapshot. */
function checkSnapshotHashes(engine: MatchingEngine, snapshot: ShardSnapshot): void {
  for (const [symbol, expected] of Object.entries(snapshot.stateHashes)) {
    const restored = engine.stateHash(symbol);
    if (restored !== expected) {
      throw new Error(`snapshot of ${symbol} restores to hash ${restored}, not ${expected}`);
    }
  }
}
