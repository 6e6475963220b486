// The leader's book snapshot, written into its own Kafka transactions so that it is exactly as
// durable and as ordered as the results: a standby restores the newest committed one and replays
// the command log from the input offsets it names (see follower/engine-follower.ts).
import type { IHeaders, Kafka, Message } from 'kafkajs';
import {
  decodeSnapshot,
  encodeSnapshot,
  marketSpecOf,
  type EngineSnapshot,
  type Market,
  type MarketSpec,
} from '@app/domain';
import { ENGINE_HEADERS, readHeader } from '@app/messaging';
import {
  SNAPSHOT_HEADER,
  SNAPSHOT_PART_BYTES_MAX,
  SNAPSHOT_PART_HEADER,
  SNAPSHOT_TAIL_RECORDS_MIN,
} from '../engine.constants';
import { readCommittedRanges } from '../restore/read-ranges';

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

/** Whether two market lists are the same markets with the same settings (any order). */
export function sameMarkets(a: readonly Market[], b: readonly Market[]): boolean {
  const key = (m: Market) => JSON.stringify(marketSpecOf(m));
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.length === right.length && left.every((k, i) => k === right[i]);
}

/**
 * The records of one snapshot: its encoding cut into parts of at most SNAPSHOT_PART_BYTES_MAX
 * (a large book would exceed the broker's 1 MB record limit), each headed with the snapshot's id
 * and its part number. All parts go into one transaction, so a reader sees all or none.
 */
export function snapshotRecords(
  snapshot: ShardSnapshot,
  id: string,
  partBytes = SNAPSHOT_PART_BYTES_MAX,
): Message[] {
  const bytes = encodeShardSnapshot(snapshot);
  const parts = Math.max(1, Math.ceil(bytes.length / partBytes));
  const records: Message[] = [];
  for (let i = 0; i < parts; i++) {
    records.push({
      key: `shard-${snapshot.shard}`,
      // Partition 0 explicitly: readers read only that one, whatever the topic's partition count.
      partition: 0,
      value: bytes.subarray(i * partBytes, (i + 1) * partBytes),
      headers: {
        [ENGINE_HEADERS.shard]: String(snapshot.shard),
        [ENGINE_HEADERS.fencingToken]: snapshot.fencingToken,
        [SNAPSHOT_HEADER]: id,
        [SNAPSHOT_PART_HEADER]: `${i + 1}/${parts}`,
      },
    });
  }
  return records;
}

interface Assembly {
  readonly parts: (Buffer | undefined)[];
  received: number;
}

/** Collects parts in log order; returns the newest snapshot all of whose parts were seen. */
export class SnapshotAssembler {
  private readonly pending = new Map<string, Assembly>();
  private newest: Buffer[] | undefined;

  constructor(private readonly shard: number) {}

  add(value: Buffer | null, headers: IHeaders | undefined): void {
    if (value === null || readHeader(headers, ENGINE_HEADERS.shard) !== String(this.shard)) return;
    const id = readHeader(headers, SNAPSHOT_HEADER);
    const part = /^(\d+)\/(\d+)$/.exec(readHeader(headers, SNAPSHOT_PART_HEADER) ?? '');
    if (id === undefined || part === null) return;
    const index = Number(part[1]) - 1;
    const count = Number(part[2]);
    if (!(count >= 1 && index >= 0 && index < count)) return;
    let assembly = this.pending.get(id);
    if (assembly === undefined || assembly.parts.length !== count) {
      assembly = { parts: new Array<Buffer | undefined>(count).fill(undefined), received: 0 };
      this.pending.set(id, assembly);
    }
    if (assembly.parts[index] === undefined) assembly.received += 1;
    assembly.parts[index] = Buffer.from(value);
    if (assembly.received === count) {
      this.newest = assembly.parts as Buffer[];
      this.pending.delete(id);
    }
  }

  result(): ShardSnapshot | undefined {
    return this.newest === undefined ? undefined : decodeShardSnapshot(Buffer.concat(this.newest));
  }
}

/**
 * The newest committed snapshot of `shard` in `topic` (partition 0), or undefined when there is
 * none. Reads the last records up to the end seen when it starts, read committed; a window
 * holding no complete snapshot is widened fourfold until it does or reaches the start of the log.
 * A transaction in flight on the partition holds the end back for at most its own duration.
 */
export async function readLatestSnapshot(
  kafka: Kafka,
  topic: string,
  shard: number,
  groupId: string,
): Promise<ShardSnapshot | undefined> {
  const admin = kafka.admin();
  await admin.connect();
  let high: bigint;
  let low: bigint;
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const end = ends.find((e) => e.partition === 0);
    if (end === undefined) throw new Error(`${topic} has no partition 0`);
    high = BigInt(end.high);
    low = BigInt(end.low);
  } finally {
    await admin.disconnect();
  }
  for (let window = BigInt(SNAPSHOT_TAIL_RECORDS_MIN); ; window *= 4n) {
    const start = high - window > low ? high - window : low;
    if (high <= start) return undefined;
    const assembler = new SnapshotAssembler(shard);
    await readCommittedRanges(
      kafka,
      topic,
      new Map([[0, { start, end: high }]]),
      `${groupId}-${window}`,
      (_partition, m) => assembler.add(m.value, m.headers),
    );
    const found = assembler.result();
    if (found !== undefined || start === low) return found;
  }
}
