// The leader's book snapshot, written into its own Kafka transactions so that it is exactly as
// durable and as ordered as the results: a standby restores the newest committed one and replays
// the command log from the input offsets it names (see follower/engine-follower.ts). The value
// and the headers are the snapshots topic's contract (libs/messaging, engine-snapshots.ts); this
// cuts a snapshot into records and reads the newest whole one back.
import type { IHeaders, Kafka, Message } from 'kafkajs';
import {
  ENGINE_HEADERS,
  ENGINE_SNAPSHOT_HEADERS,
  decodeShardSnapshot,
  encodeShardSnapshot,
  readHeader,
  type ShardSnapshot,
} from '@app/messaging';
import { SNAPSHOT_PART_BYTES_MAX, SNAPSHOT_TAIL_RECORDS_MIN } from '../engine.constants';
import { readCommittedRanges } from '../restore/read-ranges';

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
        [ENGINE_SNAPSHOT_HEADERS.snapshot]: id,
        [ENGINE_SNAPSHOT_HEADERS.part]: `${i + 1}/${parts}`,
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
    const id = readHeader(headers, ENGINE_SNAPSHOT_HEADERS.snapshot);
    const part = /^(\d+)\/(\d+)$/.exec(readHeader(headers, ENGINE_SNAPSHOT_HEADERS.part) ?? '');
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
