// A new leadership's takeover, step by step: (1) fence the previous leader, (2) read the tail of
// the results log (checkpoints, newest commandIds, last committed offsets), (3) read the shard
// group's committed offsets, final now, (4) take the warm standby's book if it reaches those
// offsets and equals the log's last checkpoints, else (5) restore cold from the database and
// verify each book's hash. What follows (a snapshot for the standby, then consuming from the
// committed offsets) is the session's (leader/leader-session.ts).
import type { Kafka, Producer } from 'kafkajs';
import { COMMAND_DEDUPE_WINDOW_MAX, type Market, type MatchingEngine } from '@app/domain';
import { loadMarkets, type Queryable } from '@app/database';
import { TOPICS, type TopicNames } from '@app/messaging';
import type { Logger } from '@app/observability';
import type { EngineMetrics } from '../engine.metrics';
import type { MatchingEngineSettings } from '../matching-engine.settings';
import type { BatchContext } from '../pipeline/command-batch';
import { shardPartitions, symbolPartition } from '../pipeline/shard';
import { readResultsTail } from '../restore/read-results-tail';
import { restoreCold } from './cold-restore';
import { readCommittedOffsets } from './committed-offsets';
import { fencePreviousLeader, shardTopicPartitions } from './fence';
import { acceptWarmBook, type WarmStandby } from './warm-hand-off';

/** Where a leadership's book came from. */
export type RestoreSource = 'warm' | 'cold';

export interface TakeoverDeps {
  readonly kafka: Kafka;
  readonly db: Queryable;
  readonly settings: MatchingEngineSettings;
  readonly topics: TopicNames;
  readonly logger: Logger;
  readonly metrics: EngineMetrics;
  /** This process's warm standby, whose book a takeover uses when it checks out. */
  readonly follower?: WarmStandby;
}

/** The leadership taking over. */
export interface Leadership {
  readonly token: bigint;
  /** The shard's consumer group, which is also its producer's transactional id. */
  readonly groupBase: string;
  /** True once the lease is lost or the session stops: the takeover gives up. */
  readonly cancelled: () => boolean;
  /** Receives the fencing producer as soon as it exists, so the session closes it on failure. */
  readonly adoptProducer: (producer: Producer) => void;
}

/** What a leadership starts consuming with. */
export interface TakenOver {
  readonly producer: Producer;
  readonly engine: MatchingEngine;
  readonly context: BatchContext;
  /** The shard group's committed offset of each partition of the orders topic. */
  readonly committed: ReadonlyMap<number, bigint>;
  readonly source: RestoreSource;
}

/** Takes over the shard for `leadership`; throws (and is retried) on any failure. */
export async function takeOver(deps: TakeoverDeps, leadership: Leadership): Promise<TakenOver> {
  const { kafka, db, settings, logger, metrics } = deps;
  const { token, groupBase } = leadership;
  const stillLeader = (step: string) => {
    if (leadership.cancelled()) throw new Error(`leadership ended during takeover (${step})`);
  };
  const shardLabel = { shard: String(settings.ENGINE_SHARD) };
  const ordersTopic = deps.topics.of(TOPICS.orders.logical);
  const resultsTopic = deps.topics.of(TOPICS.engineResults.logical);
  const partitionCount = await shardTopicPartitions(kafka, ordersTopic, resultsTopic);
  // 1. Fence the previous leader: its open transaction is aborted, its later sends refused.
  const producer = await fencePreviousLeader(kafka, groupBase, leadership.adoptProducer);
  stillLeader('fenced');
  // 2. What the log committed: checkpoints, newest commandIds, last result offsets.
  const markets = await loadMarkets(db);
  const partitions = shardPartitions(settings.ENGINE_SHARD, settings.ENGINE_SHARDS, partitionCount);
  const shardMarkets = [...markets.values()].filter((m) =>
    partitions.includes(symbolPartition(m.symbol, partitionCount)),
  );
  // The newest commandIds of each partition, enough to refill the dedupe window.
  const perPartition = Math.ceil(COMMAND_DEDUPE_WINDOW_MAX / Math.max(1, partitions.length));
  const tails = await readResultsTail(
    kafka,
    resultsTopic,
    partitions,
    perPartition,
    `${groupBase}.restore.${settings.ENGINE_INSTANCE_ID}.${token}`,
  );
  stillLeader('log tail read');
  // 3. The committed offsets are final now that the previous producer is fenced.
  const committed = await readCommittedOffsets(
    kafka,
    groupBase,
    ordersTopic,
    partitions,
    tails,
    logger,
  );
  stillLeader('offsets read');
  // 4. A warm standby's book is used when it reaches them and matches the last checkpoints.
  const handedOff = await deps.follower?.handOff(
    committed,
    settings.ENGINE_WARM_HANDOFF_TIMEOUT_MS,
  );
  stillLeader('warm hand-off');
  let source: RestoreSource = 'warm';
  let book = acceptWarmBook(handedOff, tails, shardMarkets, { logger, metrics, shardLabel });
  if (book === undefined) {
    // 5. The database holds every committed result once settlement has applied them.
    source = 'cold';
    book = await restoreCold(
      {
        db,
        logger,
        metrics,
        resultsTopic,
        settlementWaitMs: settings.ENGINE_SETTLEMENT_WAIT_MS,
        shardLabel,
      },
      tails,
      shardMarkets,
      perPartition,
      leadership.cancelled,
    );
  }
  stillLeader('restored');
  const context: BatchContext = {
    shard: settings.ENGINE_SHARD,
    fencingToken: token.toString(),
    topics: {
      results: resultsTopic,
      trades: deps.topics.of(TOPICS.trades.logical),
      book: deps.topics.of(TOPICS.book.logical),
    },
    partitionOfSymbol: new Map(
      shardMarkets.map((m) => [m.symbol, symbolPartition(m.symbol, partitionCount)]),
    ),
    symbolsOfPartition: groupSymbols(shardMarkets, partitionCount),
    hashBooks: settings.ENGINE_CHECKPOINT_HASH,
    restoredOrderIds: book.restoredOrderIds,
    hashCache: book.stateHashes,
  };
  metrics.restores.inc({ ...shardLabel, source });
  logger.info(
    {
      token: token.toString(),
      source,
      openOrders: countOpenOrders(book.engine),
      markets: shardMarkets.length,
    },
    'engine book restored',
  );
  return { producer, engine: book.engine, context, committed, source };
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

function countOpenOrders(engine: MatchingEngine): number {
  let n = 0;
  for (const symbol of engine.symbols()) {
    const snapshot = engine.book(symbol)?.snapshot();
    if (snapshot !== undefined)
      n += snapshot.bids.length + snapshot.asks.length + snapshot.stops.length;
  }
  return n;
}
