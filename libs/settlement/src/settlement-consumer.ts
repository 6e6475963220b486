// The Kafka half of settlement: reads the results topic with a read-committed consumer, applies
// each partition's batch with settleBatch, and commits the Kafka offset only after the database
// committed. The database checkpoint, not the Kafka offset, decides what is applied, so a crash
// between the two commits only makes Kafka redeliver records that the checkpoint then skips.
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { databaseNameOf } from '@app/database';
import {
  assertKnownSchemaVersion,
  decodeEngineResultRecord,
  createReadCommittedConsumer,
} from '@app/messaging';
import type { Logger } from '@app/observability';
import { advanceCheckpoint } from './advance-checkpoint';
import {
  loadFeesUserId,
  settleBatch,
  type ConsumedResult,
  type SettleBatchOptions,
} from './apply-batch';
import {
  SETTLEMENT_BATCH_EVENTS_MAX,
  SETTLEMENT_FETCH_PARTITION_BYTES_MAX,
  SETTLEMENT_GROUP_PREFIX,
  SETTLEMENT_PARTITIONS_CONCURRENT_MAX,
  SETTLEMENT_RETRY_BACKOFF_MS,
} from './settlement.constants';
import { settlementMetrics, type SettlementMetrics } from './settlement.metrics';

export interface SettlementConsumerOptions {
  readonly kafka: Kafka;
  readonly dataSource: DataSource;
  /** Physical name of `exchange.engine.results`. */
  readonly resultsTopic: string;
  /** Physical name of `exchange.user-updates`. */
  readonly userUpdatesTopic: string;
  /** Default `settlementGroupId(topic prefix, database)`. */
  readonly groupId: string;
  readonly logger?: Logger;
  /** Group session timeout in ms (kafkajs default 30 000); how long a dead member holds its partitions. */
  readonly sessionTimeoutMs?: number;
  /** Results per database transaction; default SETTLEMENT_BATCH_EVENTS_MAX. */
  readonly batchEventsMax?: number;
  /** TEST ONLY: see SettleBatchOptions.balanceLockOrder. */
  readonly balanceLockOrder?: SettleBatchOptions['balanceLockOrder'];
  /**
   * TEST ONLY, off unless set: called after a database commit and before the Kafka offset
   * commit. The crash test passes a hook that SIGKILLs the process at exactly that point.
   */
  readonly testHookAfterDbCommit?: (info: { partition: number; lastOffset: string }) => void;
}

/**
 * The consumer group of settlement for a ledger database: the offsets it commits only make sense
 * together with that database's checkpoints, so two databases never share a group.
 */
export function settlementGroupId(topicPrefix: string, databaseUrl: string): string {
  return `${topicPrefix}${SETTLEMENT_GROUP_PREFIX}.${databaseNameOf(databaseUrl)}`;
}

export class SettlementConsumer {
  private consumer: Consumer | undefined;
  private feesUserId: string | undefined;
  private readonly metrics: SettlementMetrics = settlementMetrics();
  /** Checkpoint moves past ranges without results, in flight (stop waits for them). */
  private readonly advancing = new Set<Promise<void>>();

  constructor(private readonly options: SettlementConsumerOptions) {}

  /** Joins the group and starts consuming; resolves once the consumer runs. */
  async start(): Promise<void> {
    this.feesUserId = await loadFeesUserId(this.options.dataSource);
    const consumer = createReadCommittedConsumer(this.options.kafka, {
      groupId: this.options.groupId,
      maxBytesPerPartition: SETTLEMENT_FETCH_PARTITION_BYTES_MAX,
      maxBytes: SETTLEMENT_FETCH_PARTITION_BYTES_MAX * SETTLEMENT_PARTITIONS_CONCURRENT_MAX,
      ...(this.options.sessionTimeoutMs === undefined
        ? {}
        : {
            sessionTimeout: this.options.sessionTimeoutMs,
            heartbeatInterval: Math.floor(this.options.sessionTimeoutMs / 3),
          }),
    });
    this.consumer = consumer;
    // kafkajs calls eachBatch only for fetches with a committed record; one of aborted records
    // and transaction markers alone still ends a batch here (firstOffset null: nothing fetched
    // at or past the fetch offset), and the checkpoint must cover it too.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize > 0 || payload.firstOffset === null) return;
      const advance = this.advancePastRecordless(
        payload.topic,
        payload.partition,
        payload.lastOffset,
      );
      this.advancing.add(advance);
      void advance.finally(() => this.advancing.delete(advance));
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.options.resultsTopic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Partitions are independent (own checkpoint row, canonical balance locks), so their
      // batches may settle at the same time.
      partitionsConsumedConcurrently: SETTLEMENT_PARTITIONS_CONCURRENT_MAX,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** Finishes the batch in flight (kafkajs waits for it) and leaves the group. */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
    await Promise.all(this.advancing);
  }

  private async advancePastRecordless(
    topic: string,
    partition: number,
    lastOffset: string,
  ): Promise<void> {
    try {
      await advanceCheckpoint(this.options.dataSource, { topic, partition, lastOffset });
    } catch (error) {
      // Harmless: nothing was settled there, and the next batch with records moves it anyway.
      this.options.logger?.warn(
        { err: error, partition, lastOffset },
        'settlement could not move its checkpoint past offsets without results',
      );
    }
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) {
    const consumer = this.consumer;
    if (consumer === undefined) return;
    const max = this.options.batchEventsMax ?? SETTLEMENT_BATCH_EVENTS_MAX;
    // Records are decoded a chunk at a time: a fetch holds thousands of results, and decoding
    // them all before settling the first kept the database idle meanwhile.
    let current = await this.decodeChunk(batch, 0, max);
    // kafkajs does not call eachBatch for a batch without records (only markers or nothing).
    while (current.records.length > 0) {
      if (!isRunning() || isStale()) return;
      const chunk = current.records;
      const last = current.nextMessage >= batch.messages.length;
      // The last chunk also covers transaction markers after the last record.
      const lastOffset = last ? batch.lastOffset() : chunk[chunk.length - 1].offset;
      const started = process.hrtime.bigint();
      try {
        const outcome = await settleBatch(
          this.options.dataSource,
          { topic: batch.topic, partition: batch.partition, records: chunk, lastOffset },
          {
            feesUserId: this.feesUserId as string,
            userUpdatesTopic: this.options.userUpdatesTopic,
            balanceLockOrder: this.options.balanceLockOrder,
            metrics: this.metrics,
          },
        );
        this.metrics.events.inc({ outcome: 'applied' }, outcome.applied);
        this.metrics.events.inc({ outcome: 'skipped' }, outcome.skipped);
        this.metrics.events.inc({ outcome: 'stale' }, outcome.stale);
        this.metrics.staleTokens.inc(outcome.stale);
        this.metrics.trades.inc(outcome.trades);
        this.metrics.batchEvents.observe(chunk.length);
        this.metrics.batchSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
        if (outcome.stale > 0) {
          this.options.logger?.warn(
            { partition: batch.partition, stale: outcome.stale },
            'settlement rejected results with a stale fencing token',
          );
        }
      } catch (error) {
        const code = (error as { code?: string }).code;
        this.metrics.failures.inc();
        if (code === 'UNKNOWN_ORDER') this.metrics.unknownOrders.inc();
        this.options.logger?.error(
          { err: error, code, partition: batch.partition, offset: chunk[0]?.offset },
          'settlement batch failed; it will be redelivered',
        );
        await new Promise((resolve) => setTimeout(resolve, SETTLEMENT_RETRY_BACKOFF_MS));
        throw error;
      }
      this.options.testHookAfterDbCommit?.({ partition: batch.partition, lastOffset });
      resolveOffset(lastOffset);
      await consumer.commitOffsets([
        {
          topic: batch.topic,
          partition: batch.partition,
          offset: (BigInt(lastOffset) + 1n).toString(),
        },
      ]);
      await heartbeat();
      current = await this.decodeChunk(batch, current.nextMessage, max);
    }
    this.metrics.lagEvents.set({ partition: String(batch.partition) }, Number(batch.offsetLag()));
  }

  /**
   * Decodes whole records of `batch` from message `first` on until they hold at least `max`
   * results (none when `first` is past the end). A record holds one result or a packed run of
   * them (decodeEngineResultRecord) and is never split: its offset is settled all at once (the
   * checkpoint is an offset), so a packed record goes whole into one transaction. Yields to the
   * event loop every DECODE_YIELD_RESULTS results, so that statements in flight (this
   * partition's current chunk, other partitions) are not held up.
   */
  private async decodeChunk(
    batch: EachBatchPayload['batch'],
    first: number,
    max: number,
  ): Promise<{ records: ConsumedResult[]; nextMessage: number }> {
    const records: ConsumedResult[] = [];
    let next = first;
    let yielded = 0;
    try {
      while (next < batch.messages.length && records.length < max) {
        const message = batch.messages[next];
        // A record of a schema version this build does not read is refused (counted in
        // messaging_schema_version_refusals_total) before its value is read, never misread.
        assertKnownSchemaVersion(message.headers, batch.topic, {
          partition: batch.partition,
          offset: message.offset,
        });
        for (const envelope of decodeEngineResultRecord(message.value ?? Buffer.alloc(0))) {
          records.push({ offset: message.offset, envelope });
        }
        next += 1;
        if (records.length - yielded >= DECODE_YIELD_RESULTS) {
          yielded = records.length;
          await yieldToEventLoop();
        }
      }
    } catch (error) {
      // A record that is not an envelope (a bug or a foreign producer) or of a schema version
      // this build does not read (a newer engine ahead of it): like an unknown order, it stops
      // this partition (retried with backoff) rather than being skipped silently. The records
      // before it are settled and committed first: this chunk ends before it, and the next
      // chunk, which starts at it, fails here with nothing decoded.
      if (records.length > 0) return { records, nextMessage: next };
      const code = (error as { code?: string }).code;
      this.metrics.failures.inc();
      this.options.logger?.error(
        { err: error, code, partition: batch.partition, offset: batch.messages[next]?.offset },
        code === 'UNKNOWN_SCHEMA_VERSION'
          ? 'settlement refuses a record of a schema version it does not read'
          : 'settlement cannot decode a record of the results topic',
      );
      await new Promise((resolve) => setTimeout(resolve, SETTLEMENT_RETRY_BACKOFF_MS));
      throw error;
    }
    return { records, nextMessage: next };
  }
}

/** Results decoded between yields: a few milliseconds of JSON, a few microseconds to yield. */
const DECODE_YIELD_RESULTS = 200;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
