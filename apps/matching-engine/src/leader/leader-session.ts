// One leadership of a shard, from the lease acquired to the step down: take over (fence the
// previous leader, take the warm standby's book or restore it from the database; see
// takeover/take-over.ts), then consume, match and produce in Kafka transactions until told to
// stop (the stages of a command's life are laid out in pipeline/command-stages.ts); every
// ENGINE_SNAPSHOT_INTERVAL_MS one transaction also carries a book snapshot. A session never
// outlives a failure: any failed transaction leaves the in-memory book ahead of the committed
// log, so the session ends and the supervisor starts a fresh one (with a fresh restore) if this
// process still leads.
import type { Consumer, EachBatchPayload, Producer, TopicMessages } from 'kafkajs';
import { marketSpecOf, type BookCheckpoint, type Market, type MatchingEngine } from '@app/domain';
import type { LeaderElector } from '@app/leader-election';
import {
  TOPICS,
  createReadCommittedConsumer,
  offsetAfter,
  runInTransaction,
  type ShardSnapshot,
} from '@app/messaging';
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
import {
  BatchBuilder,
  commandsToApply,
  splitIntoSends,
  type BatchContext,
  type BatchOutput,
  type CommandRecord,
} from '../pipeline/command-stages';
import { shardAssigner } from '../pipeline/shard';
import { snapshotRecords } from '../pipeline/snapshot';
import { takeOver, type RestoreSource, type TakeoverDeps } from '../takeover/take-over';

export interface LeaderSessionDeps extends TakeoverDeps {
  readonly elector: LeaderElector;
}

/** What GET /engine/state shows of one market. */
export interface SymbolState extends BookCheckpoint {
  readonly stateHash: string;
  readonly openOrders: number;
}

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
      await this.begin();
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

  /** Takes over, then writes a snapshot for a standby and resumes from the committed offsets. */
  private async begin(): Promise<void> {
    const taken = await takeOver(this.deps, {
      token: this.token,
      groupBase: this.groupBase,
      cancelled: () => this.cancelled(),
      adoptProducer: (producer) => (this.producer = producer),
    });
    this.engine = taken.engine;
    this.context = taken.context;
    this.restoreSource = taken.source;
    for (const [partition, offset] of taken.committed) this.nextOffsets.set(partition, offset);
    // A standby can start following from this leadership at once.
    if (this.deps.settings.ENGINE_SNAPSHOT_INTERVAL_MS > 0) await this.commitSnapshot();
    await this.startConsumer();
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
