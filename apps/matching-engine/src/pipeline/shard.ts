// Which partitions a shard serves, which partition a symbol's records land in, and how far the
// shard has committed.
import {
  AssignerProtocol,
  Partitioners,
  type Assigner,
  type GroupMemberAssignment,
  type Admin,
  type ICustomPartitioner,
  type Kafka,
  type PartitionAssigner,
} from 'kafkajs';

/** The shard's partitions of a topic with `partitionCount` partitions: p % shards === shard. */
export function shardPartitions(shard: number, shards: number, partitionCount: number): number[] {
  if (!(Number.isSafeInteger(shards) && shards >= 1 && shard >= 0 && shard < shards)) {
    throw new Error(`shard ${shard} is not in 0..${shards - 1}`);
  }
  const partitions: number[] = [];
  for (let p = shard; p < partitionCount; p += shards) partitions.push(p);
  return partitions;
}

const defaultPartitioner = Partitioners.DefaultPartitioner();

/**
 * The partition a record keyed by `symbol` goes to in a topic of `partitionCount` partitions,
 * by the same (Java-compatible murmur2) partitioner every producer of the exchange uses.
 */
export function symbolPartition(symbol: string, partitionCount: number): number {
  const partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  return defaultPartitioner({
    topic: '',
    partitionMetadata,
    message: { key: symbol, value: null },
  });
}

/**
 * A consumer-group assigner that gives the group's member only the shard's partitions of every
 * subscribed topic. The engine's consumer group has one member (the leader); should there ever
 * be two, the first by member id gets everything and the other nothing, never a split shard.
 */
export function shardAssigner(shard: number, shards: number): PartitionAssigner {
  return ({ cluster }): Assigner => ({
    name: `engine-shard-${shard}-of-${shards}`,
    version: 1,
    protocol: ({ topics }) => ({
      name: `engine-shard-${shard}-of-${shards}`,
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: 1,
        topics,
        userData: Buffer.alloc(0),
      }),
    }),
    assign: async ({ members, topics }): Promise<GroupMemberAssignment[]> => {
      const sorted = [...members].sort((a, b) => a.memberId.localeCompare(b.memberId));
      const assignment: Record<string, number[]> = {};
      for (const topic of topics) {
        const count = cluster.findTopicPartitionMetadata(topic).length;
        assignment[topic] = shardPartitions(shard, shards, count);
      }
      return sorted.map((member, index) => ({
        memberId: member.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: index === 0 ? assignment : {},
          userData: Buffer.alloc(0),
        }),
      }));
    },
  });
}

/**
 * kafkajs's default (murmur2) partitioner, remembering the partition of each string key per
 * partition count. For a keyed record the default partitioner depends on nothing else, and the
 * engine keys its records by a handful of symbols, so this drops a murmur2 hash and a filter of
 * the partition list per record (about 4% of the leader's time at full load). Records without a
 * string key or with an explicit partition go to the default partitioner unchanged.
 */
export const cachingKeyPartitioner: ICustomPartitioner = () => {
  const fallback = Partitioners.DefaultPartitioner();
  const cache = new Map<string, number>();
  return (args) => {
    const { message, partitionMetadata } = args;
    const key = message.key;
    if (typeof key !== 'string' || (message.partition !== undefined && message.partition !== null))
      return fallback(args);
    const cacheKey = `${partitionMetadata.length}\u0000${key}`;
    let partition = cache.get(cacheKey);
    if (partition === undefined) {
      partition = fallback(args);
      cache.set(cacheKey, partition);
    }
    return partition;
  };
};

/**
 * The shard group's committed offset of each of `partitions` of the orders topic: the next
 * command the shard will apply (0 where nothing was committed). Only the leader's transactions
 * move them.
 */
export async function shardCommittedOffsets(
  client: Kafka | Admin,
  groupId: string,
  topic: string,
  partitions: readonly number[],
  /** Filled with the partitions that have no committed offset (reported as 0). */
  missing?: Set<number>,
): Promise<Map<number, bigint>> {
  // An Admin (already connected, kept by a caller that asks often) or a Kafka to open one.
  const own = 'admin' in client;
  const admin = own ? client.admin() : client;
  if (own) await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const out = new Map<number, bigint>();
    for (const p of partitions) {
      const found = committed?.partitions.find((each) => each.partition === p);
      const offset = found === undefined ? -1n : BigInt(found.offset);
      if (offset < 0n) missing?.add(p);
      out.set(p, offset >= 0n ? offset : 0n);
    }
    return out;
  } finally {
    if (own) await admin.disconnect();
  }
}
