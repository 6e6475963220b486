// One leadership of a shard, from the lease acquired to the step down: fence the previous
// leader's producer, take the warm standby's book (or restore the book from the database once
// settlement has caught up), then consume, match and produce in Kafka transactions until told
// to stop; every ENGINE_SNAPSHOT_INTERVAL_MS one transaction also carries a book snapshot. A session never outlives a failure: any
// failed transaction leaves the in-memory book ahead of the committed log, so the session ends
// and the supervisor starts a fresh one (with a fresh restore) if this process still leads.
import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import {
  COMMAND_DEDUPE_WINDOW_MAX,
  MatchingEngine,
  marketSpecOf,
  type BookCheckpoint,
  type Market,
} from '@app/domain';
import type { TopicMessages } from 'kafkajs';
import { loadMarkets, type Queryable } from '@app/database';
import type { LeaderElector } from '@app/leader-election';
import {
  TOPICS,
  createReadCommittedConsumer,
  createTransactionalProducer,
  initTransactions,
  offsetAfter,
  runInTransaction,
  splitIntoSends,
  type ShardSnapshot,
  type TopicNames,
} from '@app/messaging';
import type { Logger } from '@app/observability';
import {
  ENGINE_BATCH_COMMANDS_MAX,
  ENGINE_CONSUMER_HEARTBEAT_INTERVAL_MS,
  ENGINE_CONSUMER_SESSION_TIMEOUT_MS,
  ENGINE_FETCH_WAIT_MS,
  ENGINE_MATCH_SLICE_COMMANDS,
  ENGINE_SEND_BYTES_MAX,
  ENGINE_SEND_MESSAGES_MAX,
  SESSION_STOP_TIMEOUT_MS,
} from '../engine.constants';
import type { EngineMetrics } from '../engine.metrics';
import {
  BatchBuilder,
  type BatchContext,
  type BatchOutput,
  type CommandRecord,
} from '../engine/command-batch';
import {
  cachingKeyPartitioner,
  shardAssigner,
  shardCommittedOffsets,
  shardPartitions,
  symbolPartition,
} from '../engine/shard';
import { bookCounters } from '../engine/checkpoint';
import { sameMarkets, snapshotRecords } from '../engine/snapshot';
import type { EngineFollower } from '../follower/engine-follower';
import type { MatchingEngineSettings } from '../matching-engine.settings';
import { loadOpenOrders } from '../restore/load-open-orders';
import { readResultsTail, type PartitionTail } from '../restore/read-results-tail';
import { waitForSettlement } from '../restore/wait-for-settlement';

export interface LeaderSessionDeps {
  readonly kafka: Kafka;
  readonly db: Queryable;
  readonly elector: LeaderElector;
  readonly settings: MatchingEngineSettings;
  readonly topics: TopicNames;
  readonly logger: Logger;
  readonly metrics: EngineMetrics;
  /** This process's warm standby, whose book a takeover uses when it checks out. */
  readonly follower?: EngineFollower;
}

/** Thrown when a restored book does not hash like the one the log last committed. */
export class RestoreMismatchError extends Error {
  override readonly name = 'RestoreMismatchError';
  readonly code = 'RESTORE_STATE_MISMATCH';
}

/** What GET /engine/state shows of one market. */
export interface SymbolState extends BookCheckpoint {
  readonly stateHash: string;
  readonly openOrders: number;
}

/** Where a leadership's book came from. */
export type RestoreSource = 'warm' | 'cold';

/** Thrown into a session that the progress watchdog ends: it made no progress on waiting work. */
export class EngineStalledError extends Error {
  override readonly name = 'EngineStalledError';
  readonly code = 'ENGINE_STALLED';
}

/**
 * Sessions started by this process so far. Each session's consumer joins a group named by it, so
 * a session that replaces a failed one of the same leadership never meets the old one's member.
 */
let sessionsStarted = 0;

export class LeaderSession {
  private stopping = false;
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private engine: MatchingEngine | undefined;
  private context: BatchContext | undefined;
  /** Next offset to apply per partition of the orders topic (the committed position). */
  private readonly nextOffsets = new Map<number, bigint>();
  private endSession: (error?: unknown) => void = () => undefined;
  private readonly ended: Promise<void>;
  private consuming = false;
  /** Set by a test fault hook: the consumer pauses every partition as soon as it runs. */
  private frozen = false;
  private readonly shardLabel: { shard: string };
  private readonly groupBase: string;
  private readonly memberGroupId: string;
  private readonly ordersTopic: string;
  private readonly resultsTopic: string;
  private readonly snapshotsTopic: string;
  private restoreSource: RestoreSource | undefined;
  /** performance.now() of the last snapshot taken; the next is due ENGINE_SNAPSHOT_INTERVAL_MS later. */
  private lastSnapshotAt = 0;
  private snapshots = 0;

  constructor(
    private readonly deps: LeaderSessionDeps,
    readonly token: bigint,
  ) {
    const { settings, topics } = deps;
    this.shardLabel = { shard: String(settings.ENGINE_SHARD) };
    // Consumer group and transactional id of the shard: the same on every node, so offsets
    // committed by one leader are where the next resumes and its producer fences the last.
    this.groupBase = `${settings.KAFKA_TOPIC_PREFIX}engine-shard-${settings.ENGINE_SHARD}`;
    // The consumer itself joins a group of its own, named by this session, and commits nothing
    // there: a kill -9'd leader's membership would hold the shard's group in rebalance until its
    // session timed out, delaying the takeover.
    sessionsStarted += 1;
    this.memberGroupId = `${this.groupBase}.member.${settings.ENGINE_INSTANCE_ID}.${token}.${sessionsStarted}`;
    this.ordersTopic = topics.of(TOPICS.orders.logical);
    this.resultsTopic = topics.of(TOPICS.engineResults.logical);
    this.snapshotsTopic = topics.of(TOPICS.engineSnapshots.logical);
    this.ended = new Promise<void>((resolve, reject) => {
      this.endSession = (error?: unknown) => (error === undefined ? resolve() : reject(error));
    });
    this.ended.catch(() => undefined);
  }

  /** Takes over, then consumes until stopped or failed. Resolves when stopped, rejects on failure. */
  async run(): Promise<void> {
    const startedAt = performance.now();
    try {
      await this.takeOver();
    } catch (error) {
      await this.close();
      throw error;
    }
    const seconds = (performance.now() - startedAt) / 1000;
    this.deps.metrics.takeoverSeconds.observe(this.shardLabel, seconds);
    this.deps.metrics.failovers.inc(this.shardLabel);
    this.deps.logger.info(
      {
        token: this.token.toString(),
        takeoverMs: Math.round(seconds * 1000),
        restoredFrom: this.restoreSource,
      },
      'engine leader consuming',
    );
    try {
      await this.ended;
    } finally {
      await this.close();
    }
  }

  /** Stops consuming at once; an in-flight transaction is aborted unless it is committing. */
  stop(): void {
    this.stopping = true;
    this.endSession();
  }

  /** Per-market counters and state hash, or undefined before the book is restored. */
  state(): Record<string, SymbolState> | undefined {
    const engine = this.engine;
    if (engine === undefined || !this.consuming) return undefined;
    const out: Record<string, SymbolState> = {};
    for (const symbol of engine.symbols()) {
      const snapshot = engine.book(symbol)?.snapshot();
      if (snapshot === undefined) continue;
      const { bids, asks, stops, symbol: _symbol, ...counters } = snapshot;
      out[symbol] = {
        ...counters,
        stateHash: engine.stateHash(symbol),
        openOrders: bids.length + asks.length + stops.length,
      };
    }
    return out;
  }

  /** Where this leadership's book came from, once restored. */
  source(): RestoreSource | undefined {
    return this.restoreSource;
  }

  committedOffsets(): Record<string, string> {
    return Object.fromEntries([...this.nextOffsets].map(([p, o]) => [String(p), o.toString()]));
  }

  /** The next offset to apply per partition of the orders topic, while consuming. */
  positions(): ReadonlyMap<number, bigint> | undefined {
    return this.consuming ? this.nextOffsets : undefined;
  }

  /** Ends the session as failed (the supervisor starts a fresh one while the lease is held). */
  abort(error: Error): void {
    this.fail(error);
  }

  /**
   * A fault for tests: the consumer stops fetching every partition (it stays in its group and
   * heartbeats), so the position stops while commands wait, which the watchdog must notice.
   */
  freeze(): void {
    this.frozen = true;
    this.consumer?.pause([{ topic: this.ordersTopic }]);
  }

  private cancelled(): boolean {
    return this.stopping || !this.deps.elector.isLeader();
  }

  private assertStillLeader(step: string): void {
    if (this.cancelled()) throw new Error(`leadership ended during takeover (${step})`);
  }

  private async takeOver(): Promise<void> {
    const { kafka, db, settings, logger } = this.deps;
    const partitionCount = await this.partitionCount();
    // 1. Fence the previous leader: its open transaction is aborted, its later sends refused.
    this.producer = createTransactionalProducer(kafka, {
      transactionalId: this.groupBase,
      createPartitioner: cachingKeyPartitioner,
    });
    await this.producer.connect();
    await initTransactions(this.producer);
    this.assertStillLeader('fenced');
    // 2. What the log committed: checkpoints, newest commandIds, last result offsets.
    const markets = await loadMarkets(db);
    const partitions = shardPartitions(
      settings.ENGINE_SHARD,
      settings.ENGINE_SHARDS,
      partitionCount,
    );
    const shardMarkets = [...markets.values()].filter((m) =>
      partitions.includes(symbolPartition(m.symbol, partitionCount)),
    );
    // The newest commandIds of each partition, enough to refill the dedupe window.
    const perPartition = Math.ceil(COMMAND_DEDUPE_WINDOW_MAX / Math.max(1, partitions.length));
    const tails = await readResultsTail(
      kafka,
      this.resultsTopic,
      partitions,
      perPartition,
      `${this.groupBase}.restore.${settings.ENGINE_INSTANCE_ID}.${this.token}`,
    );
    this.assertStillLeader('log tail read');
    // 3. The committed offsets are final now that the previous producer is fenced. A warm
    //    standby's book is used when it reaches them and matches the log's last checkpoints.
    const committed = await this.readCommittedOffsets(partitions, tails);
    this.assertStillLeader('offsets read');
    const context = {
      shard: settings.ENGINE_SHARD,
      fencingToken: this.token.toString(),
      topics: {
        results: this.resultsTopic,
        trades: this.deps.topics.of(TOPICS.trades.logical),
        book: this.deps.topics.of(TOPICS.book.logical),
      },
      partitionOfSymbol: new Map(
        shardMarkets.map((m) => [m.symbol, symbolPartition(m.symbol, partitionCount)]),
      ),
      symbolsOfPartition: groupSymbols(shardMarkets, partitionCount),
      hashBooks: settings.ENGINE_CHECKPOINT_HASH,
    };
    const warm = await this.deps.follower?.handOff(
      committed,
      settings.ENGINE_WARM_HANDOFF_TIMEOUT_MS,
    );
    this.assertStillLeader('warm hand-off');
    let restored: { engine: MatchingEngine; restoredOrderIds: ReadonlySet<string> } | undefined;
    let hashCache: Map<string, string> | undefined;
    if (warm !== undefined) {
      const warmMarkets = warm.engine.symbols().map((s) => warm.engine.market(s) as Market);
      const mismatches = sameMarkets(warmMarkets, shardMarkets)
        ? warmMismatches(warm.engine, tails)
        : [
            {
              symbol: '*',
              field: 'markets',
              expected: shardMarkets.length,
              warm: warmMarkets.length,
            },
          ];
      if (mismatches.length === 0) {
        restored = warm;
        hashCache = new Map(warm.engine.symbols().map((s) => [s, warm.engine.stateHash(s)]));
        this.restoreSource = 'warm';
      } else {
        this.deps.metrics.restoreMismatches.inc(this.shardLabel, mismatches.length);
        logger.error(
          { mismatches },
          'warm standby book differs from the last committed state; restoring from the database',
        );
      }
    }
    if (restored === undefined) {
      // 4. The database holds every committed result once settlement has applied them.
      const lastOffsets = new Map<number, string>();
      for (const tail of tails) {
        if (tail.lastRecordOffset !== undefined)
          lastOffsets.set(tail.partition, tail.lastRecordOffset);
      }
      await waitForSettlement(
        db,
        this.resultsTopic,
        lastOffsets,
        settings.ENGINE_SETTLEMENT_WAIT_MS,
        () => this.cancelled(),
      );
      // Restore open orders in priority order, with the log's counters, and check the hash.
      const rows = await loadOpenOrders(
        db,
        shardMarkets.map((m) => m.symbol),
      );
      const engine = new MatchingEngine({ markets: shardMarkets });
      const checkpoints = this.checkpointsOf(tails, shardMarkets);
      engine.restoreFromOpenOrders(rows, checkpoints, recentCommandIds(tails, perPartition));
      hashCache = this.verifyRestore(engine, tails);
      restored = { engine, restoredOrderIds: new Set(rows.map((row) => row.orderId)) };
      this.restoreSource = 'cold';
    }
    this.assertStillLeader('restored');
    this.engine = restored.engine;
    this.context = {
      ...context,
      restoredOrderIds: restored.restoredOrderIds,
      hashCache: hashCache ?? new Map(),
    };
    this.deps.metrics.restores.inc({ ...this.shardLabel, source: this.restoreSource });
    logger.info(
      {
        token: this.token.toString(),
        source: this.restoreSource,
        openOrders: countOpenOrders(restored.engine),
        markets: shardMarkets.length,
      },
      'engine book restored',
    );
    for (const [partition, offset] of committed) this.nextOffsets.set(partition, offset);
    // A standby can start following from this leadership at once.
    if (settings.ENGINE_SNAPSHOT_INTERVAL_MS > 0) await this.commitSnapshot();
    // 5. Resume from the committed offsets.
    await this.startConsumer();
  }

  private async partitionCount(): Promise<number> {
    const admin = this.deps.kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({
        topics: [this.ordersTopic, this.resultsTopic],
      });
      const [orders, results] = topics.map((t) => t.partitions.length);
      // A market's commands and results then share a partition number, so a shard owns the
      // same partitions of both topics.
      if (orders !== results) {
        throw new Error(
          `${this.ordersTopic} has ${orders} partitions but ${this.resultsTopic} has ${results}`,
        );
      }
      return orders;
    } finally {
      await admin.disconnect();
    }
  }

  private checkpointsOf(
    tails: readonly PartitionTail[],
    markets: readonly Market[],
  ): Record<string, BookCheckpoint> {
    const checkpoints: Record<string, BookCheckpoint> = {};
    for (const tail of tails) {
      for (const [symbol, checkpoint] of Object.entries(tail.checkpoint ?? {})) {
        const { stateHash: _hash, ...counters } = checkpoint;
        checkpoints[symbol] = counters;
      }
    }
    for (const market of markets) {
      if (
        checkpoints[market.symbol] === undefined &&
        tails.some((t) => t.lastRecordOffset !== undefined)
      ) {
        this.deps.logger.warn(
          { symbol: market.symbol },
          'no engine checkpoint in the log; counters start at 0',
        );
      }
    }
    return checkpoints;
  }

  /** Compares each restored book with the hash its last checkpoint recorded. */
  private verifyRestore(
    engine: MatchingEngine,
    tails: readonly PartitionTail[],
  ): Map<string, string> {
    const hashes = new Map<string, string>();
    const mismatches: { symbol: string; expected: string; restored: string }[] = [];
    for (const symbol of engine.symbols()) {
      const restored = engine.stateHash(symbol);
      hashes.set(symbol, restored);
      for (const tail of tails) {
        const expected = tail.checkpoint?.[symbol]?.stateHash;
        if (expected !== undefined && expected !== restored)
          mismatches.push({ symbol, expected, restored });
      }
    }
    if (mismatches.length > 0) {
      this.deps.metrics.restoreMismatches.inc(this.shardLabel, mismatches.length);
      this.deps.logger.error({ mismatches }, 'restored book differs from the last committed state');
      throw new RestoreMismatchError(
        `restored books differ from the log's last checkpoint: ${mismatches.map((m) => m.symbol).join(', ')}`,
      );
    }
    return hashes;
  }

  /**
   * The shard group's committed offsets; where one is gone (expired), the input offset the
   * results log recorded in the same transaction, so that nothing is applied twice.
   */
  private async readCommittedOffsets(
    partitions: readonly number[],
    tails: readonly PartitionTail[],
  ): Promise<Map<number, bigint>> {
    const missing = new Set<number>();
    const committed = await shardCommittedOffsets(
      this.deps.kafka,
      this.groupBase,
      this.ordersTopic,
      partitions,
      missing,
    );
    for (const partition of missing) {
      const logged = tails.find((t) => t.partition === partition)?.inputOffset;
      if (logged === undefined) continue;
      this.deps.logger.warn(
        { partition, inputOffset: logged.toString() },
        'the shard group has no committed offset; resuming from the input offset of the results log',
      );
      committed.set(partition, logged);
    }
    return committed;
  }

  /** The book, counters, dedupe window and input offsets as of now, for a standby. */
  private takeSnapshot(
    engine: MatchingEngine,
    context: BatchContext,
    inputOffsets: ReadonlyMap<number, bigint>,
  ): TopicMessages {
    this.lastSnapshotAt = performance.now();
    this.snapshots += 1;
    const snapshot: ShardSnapshot = {
      shard: this.deps.settings.ENGINE_SHARD,
      fencingToken: this.token.toString(),
      inputOffsets: Object.fromEntries(
        [...inputOffsets].map(([p, o]) => [String(p), o.toString()]),
      ),
      restoredOrderIds: [...context.restoredOrderIds],
      markets: engine.symbols().map((s) => marketSpecOf(engine.market(s) as Market)),
      engine: engine.snapshot(),
      stateHashes: Object.fromEntries(engine.symbols().map((s) => [s, engine.stateHash(s)])),
    };
    return {
      topic: this.snapshotsTopic,
      messages: snapshotRecords(snapshot, `${this.token}-${this.snapshots}`),
    };
  }

  /** A transaction holding only a snapshot of the book as restored (nothing consumed yet). */
  private async commitSnapshot(): Promise<void> {
    const { engine, context, producer } = this;
    if (engine === undefined || context === undefined || producer === undefined) return;
    const records = this.takeSnapshot(engine, context, this.nextOffsets);
    await runInTransaction(producer, async (tx) => {
      for (const topicMessages of splitIntoSends([records], ENGINE_SEND_BYTES_MAX))
        await tx.sendBatch({ topicMessages });
      if (this.cancelled()) throw new Error('leadership ended before commit');
    });
  }

  private snapshotDue(): boolean {
    const interval = this.deps.settings.ENGINE_SNAPSHOT_INTERVAL_MS;
    return interval > 0 && performance.now() - this.lastSnapshotAt >= interval;
  }

  private async startConsumer(): Promise<void> {
    const { kafka, settings } = this.deps;
    const consumer = createReadCommittedConsumer(kafka, {
      groupId: this.memberGroupId,
      partitionAssigners: [shardAssigner(settings.ENGINE_SHARD, settings.ENGINE_SHARDS)],
      sessionTimeout: ENGINE_CONSUMER_SESSION_TIMEOUT_MS,
      heartbeatInterval: ENGINE_CONSUMER_HEARTBEAT_INTERVAL_MS,
      maxWaitTimeInMs: ENGINE_FETCH_WAIT_MS,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.ordersTopic, fromBeginning: true });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!this.stopping) this.fail(payload.error);
    });
    // The member group commits nothing, so every join (the first, and any rejoin after a
    // rebalance or after the coordinator dropped the member) starts kafkajs at the beginning of
    // the log. The shard's position is this session's: seek there on every join, before the
    // join's first fetch. onBatch also skips, and resolves, records below it, whatever arrives.
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = payload.memberAssignment[this.ordersTopic] ?? [];
      for (const partition of assigned) {
        const offset = this.nextOffsets.get(partition);
        if (offset !== undefined)
          consumer.seek({ topic: this.ordersTopic, partition, offset: offset.toString() });
      }
      if (this.frozen) consumer.pause([{ topic: this.ordersTopic }]);
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.assertStillLeader('consumer started');
    this.consuming = true;
  }

  /**
   * Cuts the fetched batch into chunks of at most ENGINE_BATCH_COMMANDS_MAX commands, one
   * transaction each, and matches chunk i+1 while chunk i's transaction is in flight. That is
   * safe because nothing of chunk i+1 is sent before chunk i has committed: if chunk i's
   * transaction fails, the session ends and the book (ahead by up to two chunks) is discarded,
   * exactly as it was when it was ahead by one.
   */
  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat } = payload;
    const engine = this.engine;
    const context = this.context;
    const producer = this.producer;
    if (engine === undefined || context === undefined || producer === undefined) return;
    const partition = batch.partition;
    const next = this.nextOffsets.get(partition);
    if (next === undefined) return;
    const messages = commandsToApply(batch.messages, next);
    if (messages === 'gap') {
      // kafkajs is ahead of the shard's position: applying this would skip commands. Go back.
      this.deps.logger.error(
        { partition, position: next.toString(), fetchedFrom: batch.firstOffset() },
        'engine consumer fetched past its committed position; seeking back',
      );
      this.consumer?.seek({ topic: batch.topic, partition, offset: next.toString() });
      return;
    }
    if (messages.length === 0) {
      // Records below the committed position were applied already (a fetch from before a seek
      // or a rejoin): resolving them moves kafkajs's fetch position on, instead of fetching the
      // same records again forever.
      if (next > 0n) resolveOffset((next - 1n).toString());
      await heartbeat();
      return;
    }
    const labels = this.shardLabel;
    const chunkAt = (start: number) =>
      messages.slice(start, Math.min(messages.length, start + ENGINE_BATCH_COMMANDS_MAX));
    if (this.cancelled()) return this.stop();
    let chunk = chunkAt(0);
    let output: BatchOutput | undefined = await this.match(
      engine,
      context,
      chunk,
      false,
      partition,
    );
    for (let start = 0; output !== undefined; start += ENGINE_BATCH_COMMANDS_MAX) {
      // Leadership is checked before each transaction and again before its commit.
      if (this.cancelled()) return this.stop();
      const lastOffset = chunk[chunk.length - 1].offset;
      const txStarted = performance.now();
      // Settles with the error or with the transaction's duration; never rejects.
      const committed = this.commit(producer, output, batch.topic, partition, lastOffset).then(
        () => ({ error: undefined, seconds: (performance.now() - txStarted) / 1000 }),
        (error: unknown) => ({ error: error ?? new Error('engine transaction failed') }),
      );
      const applied = output;
      const nextStart = start + ENGINE_BATCH_COMMANDS_MAX;
      const nextChunk = nextStart < messages.length ? chunkAt(nextStart) : undefined;
      let nextOutput: BatchOutput | undefined;
      let matchFailure: { error: unknown } | undefined;
      try {
        if (nextChunk !== undefined)
          nextOutput = await this.match(engine, context, nextChunk, true, partition);
      } catch (error) {
        // Rethrown once this chunk's transaction has settled.
        matchFailure = { error };
      }
      const settled = await committed;
      if (settled.error !== undefined) {
        // The book already holds these commands but the log does not: it is unusable.
        this.fail(settled.error);
        return;
      }
      this.deps.metrics.commitSeconds.observe(labels, settled.seconds ?? 0);
      this.deps.metrics.commands.inc(labels, applied.applied);
      if (applied.duplicates > 0) this.deps.metrics.duplicates.inc(labels, applied.duplicates);
      this.deps.metrics.batchSize.observe(labels, chunk.length);
      this.nextOffsets.set(partition, BigInt(lastOffset) + 1n);
      resolveOffset(lastOffset);
      if (matchFailure !== undefined) throw matchFailure.error;
      await heartbeat();
      if (nextChunk === undefined || nextOutput === undefined) return;
      chunk = nextChunk;
      output = nextOutput;
    }
  }

  /**
   * Matches `chunk` into one transaction's output. With `yielding`, a slice at a time with a
   * turn of the event loop in between, so that the transaction in flight progresses; returns
   * undefined if the session stopped meanwhile. The metric counts matching time only.
   */
  private async match(
    engine: MatchingEngine,
    context: BatchContext,
    chunk: readonly (CommandRecord & { readonly offset: string })[],
    yielding: boolean,
    partition: number,
  ): Promise<BatchOutput | undefined> {
    const builder = new BatchBuilder(engine, context, partition);
    const slice = yielding ? ENGINE_MATCH_SLICE_COMMANDS : chunk.length;
    let busy = 0;
    for (let from = 0; from < chunk.length; from += slice) {
      if (yielding) {
        await new Promise((resolve) => setImmediate(resolve));
        if (this.stopping) return undefined;
      }
      const started = performance.now();
      builder.add(chunk, from, Math.min(chunk.length, from + slice));
      busy += performance.now() - started;
    }
    const started = performance.now();
    let output = builder.finish(BigInt(chunk[chunk.length - 1].offset) + 1n);
    busy += performance.now() - started;
    this.deps.metrics.matchSeconds.observe(this.shardLabel, busy / 1000);
    if (this.snapshotDue()) {
      // The book right after this chunk: the chunk before it is committed or in flight (its
      // failure ends the session, and this transaction with it), other partitions are at their
      // committed offsets, and the next chunk is not matched yet.
      const lastOffset = BigInt(chunk[chunk.length - 1].offset);
      const offsets = new Map(this.nextOffsets);
      offsets.set(partition, lastOffset + 1n);
      output = {
        ...output,
        records: [...output.records, this.takeSnapshot(engine, context, offsets)],
      };
    }
    return output;
  }

  /** One transaction: the chunk's output in sends that fit the broker's limit, and its offset. */
  private async commit(
    producer: Producer,
    output: BatchOutput,
    topic: string,
    partition: number,
    lastOffset: string,
  ): Promise<void> {
    await runInTransaction(producer, async (tx) => {
      for (const topicMessages of splitIntoSends(
        output.records,
        ENGINE_SEND_BYTES_MAX,
        ENGINE_SEND_MESSAGES_MAX,
      ))
        await tx.sendBatch({ topicMessages });
      await tx.sendOffsets({
        consumerGroupId: this.groupBase,
        topics: [{ topic, partitions: [{ partition, offset: offsetAfter(lastOffset) }] }],
      });
      // The last moment to take it back: a leader whose lease ran out must not commit.
      if (this.cancelled()) throw new Error('leadership ended before commit');
    });
  }

  private fail(error: unknown): void {
    if (this.stopping) return;
    this.stopping = true;
    this.consuming = false;
    this.endSession(error ?? new Error('engine session failed'));
  }

  private async close(): Promise<void> {
    this.stopping = true;
    this.consuming = false;
    const { consumer, producer } = this;
    this.consumer = undefined;
    this.producer = undefined;
    const bounded = (work: Promise<unknown>) =>
      Promise.race([
        work.catch((error: unknown) =>
          this.deps.logger.warn({ err: error }, 'engine session cleanup failed'),
        ),
        new Promise((resolve) => setTimeout(resolve, SESSION_STOP_TIMEOUT_MS).unref()),
      ]);
    // disconnect() waits for the batch in flight, whose transaction sees `stopping` and aborts.
    if (consumer !== undefined) await bounded(consumer.disconnect());
    if (producer !== undefined) await bounded(producer.disconnect());
    this.engine = undefined;
    await bounded(this.deleteMemberGroup());
  }

  private async deleteMemberGroup(): Promise<void> {
    const admin = this.deps.kafka.admin();
    await admin.connect();
    try {
      await admin.deleteGroups([this.memberGroupId]).catch(() => undefined);
    } finally {
      await admin.disconnect();
    }
  }
}

/**
 * How a warm book differs from the log's last checkpoint of each market it holds (counters, and
 * the state hash where the checkpoint has one); empty when it matches.
 */
function warmMismatches(
  engine: MatchingEngine,
  tails: readonly PartitionTail[],
): { symbol: string; field: string; expected: unknown; warm: unknown }[] {
  const out: { symbol: string; field: string; expected: unknown; warm: unknown }[] = [];
  for (const symbol of engine.symbols()) {
    const counters = bookCounters(engine, symbol);
    const checkpoint = tails.find((t) => t.checkpoint?.[symbol] !== undefined)?.checkpoint?.[
      symbol
    ];
    if (checkpoint === undefined) {
      // No committed result of this market in the log: its book must be untouched.
      if (counters.eventSeq !== 0)
        out.push({ symbol, field: 'eventSeq', expected: 0, warm: counters.eventSeq });
      continue;
    }
    for (const field of [
      'status',
      'eventSeq',
      'tradeSeq',
      'lastTradePriceTicks',
      'nextPrioritySeq',
    ] as const) {
      if (counters[field] !== checkpoint[field])
        out.push({ symbol, field, expected: checkpoint[field], warm: counters[field] });
    }
    if (checkpoint.stateHash !== undefined) {
      const warm = engine.stateHash(symbol);
      if (warm !== checkpoint.stateHash)
        out.push({ symbol, field: 'stateHash', expected: checkpoint.stateHash, warm });
    }
  }
  return out;
}

function countOpenOrders(engine: MatchingEngine): number {
  let n = 0;
  for (const symbol of engine.symbols()) {
    const snapshot = engine.book(symbol)?.snapshot();
    if (snapshot !== undefined)
      n += snapshot.bids.length + snapshot.asks.length + snapshot.stops.length;
  }
  return n;
}

/**
 * The newest `perPartition` commandIds of each partition (a packed tail may hold many more), so
 * every partition's recent commands are in the refilled dedupe window.
 */
export function recentCommandIds(tails: readonly PartitionTail[], perPartition: number): string[] {
  const seen = new Set<string>();
  for (const tail of tails) for (const id of tail.commandIds.slice(-perPartition)) seen.add(id);
  const ids = [...seen];
  return ids.slice(Math.max(0, ids.length - COMMAND_DEDUPE_WINDOW_MAX));
}

function groupSymbols(markets: readonly Market[], partitionCount: number): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const market of markets) {
    const partition = symbolPartition(market.symbol, partitionCount);
    const list = out.get(partition) ?? [];
    list.push(market.symbol);
    out.set(partition, list);
  }
  return out;
}

/**
 * The fetched records to apply, given the partition's committed position `next`: those at or past
 * it, which must start exactly at it ('gap' when they start later, which would skip commands; the
 * orders log has no gaps of its own, its producer is not transactional). Records below `next`
 * were applied already.
 */
export function commandsToApply<M extends { readonly offset: string }>(
  messages: readonly M[],
  next: bigint,
): readonly M[] | 'gap' {
  let first = 0;
  while (first < messages.length && BigInt(messages[first].offset) < next) first += 1;
  if (first === messages.length) return [];
  if (BigInt(messages[first].offset) !== next) return 'gap';
  return first === 0 ? messages : messages.slice(first);
}
