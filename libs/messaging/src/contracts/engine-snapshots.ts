import { decodeSnapshot, encodeSnapshot, type EngineSnapshot, type MarketSpec } from '@app/domain';

/**
 * The contract of `exchange.engine.snapshots` (TOPICS.engineSnapshots): the engine leader writes
 * a snapshot of its book into its own transactions, key `shard-N`, on partition 0, cut into
 * parts; a warm standby restores the newest committed one. Records carry ENGINE_HEADERS and the
 * two headers below.
 */
export const ENGINE_SNAPSHOT_HEADERS = {
  /** The id of the snapshot a record belongs to (its parts share it). */
  snapshot: 'x-engine-snapshot',
  /** `i/n`: which part of its snapshot a record holds, and of how many. */
  part: 'x-engine-snapshot-part',
} as const;

/** Everything a standby needs to continue exactly where the leader's transaction ended. */
export interface ShardSnapshot {
  readonly shard: number;
  /** Fencing token of the leader that wrote it. */
  readonly fencingToken: string;
  /** Next offset of each partition of the orders topic: the commands the snapshot includes end just before. */
  readonly inputOffsets: Readonly<Record<string, string>>;
  /** The leader's BatchContext.restoredOrderIds: the replay must skip the same place commands. */
  readonly restoredOrderIds: readonly string[];
  /**
   * The markets the leader's engine was built with, as specs: a standby builds its engine from
   * these, not from the database (which may have changed since), so it validates and rejects
   * exactly as the leader does.
   */
  readonly markets: readonly MarketSpec[];
  /** The books, counters and dedupe window. */
  readonly engine: EngineSnapshot;
  /** State hash of each market when the snapshot was taken, to check the restore against. */
  readonly stateHashes: Readonly<Record<string, string>>;
}

/** JSON; the books go through the domain's codec, which keeps bigint amounts exact. */
export function encodeShardSnapshot(snapshot: ShardSnapshot): Buffer {
  return Buffer.from(
    JSON.stringify({ ...snapshot, engine: encodeSnapshot(snapshot.engine) }),
    'utf8',
  );
}

export function decodeShardSnapshot(bytes: Buffer): ShardSnapshot {
  const json = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  const engine = json.engine as { books?: unknown; recentCommandIds?: unknown } | undefined;
  if (
    !Number.isSafeInteger(json.shard) ||
    typeof json.fencingToken !== 'string' ||
    typeof json.inputOffsets !== 'object' ||
    json.inputOffsets === null ||
    typeof json.stateHashes !== 'object' ||
    json.stateHashes === null ||
    !Array.isArray(json.restoredOrderIds) ||
    !Array.isArray(json.markets) ||
    !Array.isArray(engine?.books) ||
    !Array.isArray(engine?.recentCommandIds)
  ) {
    throw new Error('malformed engine snapshot');
  }
  return { ...(json as unknown as ShardSnapshot), engine: decodeSnapshot(engine) };
}
