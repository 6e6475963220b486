// Proves the shard arithmetic: partitions split by p % shards, and a symbol's partition is the
// one kafkajs's default (murmur2) partitioner picks for the same key.
import { Partitioners } from 'kafkajs';
import { cachingKeyPartitioner, shardPartitions, symbolPartition } from './shard';

describe('shard', () => {
  it('splits partitions by p % shards and refuses a shard outside the count', () => {
    expect(shardPartitions(0, 1, 4)).toEqual([0, 1, 2, 3]);
    expect(shardPartitions(1, 3, 8)).toEqual([1, 4, 7]);
    expect(() => shardPartitions(3, 3, 8)).toThrow(/not in 0..2/);
  });

  it('places a symbol where the producers put its records', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: 8 }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }));
    for (const symbol of ['BTC-USDT', 'ETH-USDT', 'SOL-USDT']) {
      const expected = partitioner({
        topic: 'x',
        partitionMetadata,
        message: { key: symbol, value: 'v' },
      });
      expect(symbolPartition(symbol, 8)).toBe(expected);
    }
  });

  it('caches partitions of string keys exactly as the default partitioner picks them', () => {
    const reference = Partitioners.DefaultPartitioner();
    const cached = cachingKeyPartitioner();
    for (const count of [1, 3, 8, 8, 12]) {
      const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({
        partitionId,
        leader: 0,
        partitionErrorCode: 0,
        replicas: [0],
        isr: [0],
      }));
      for (const key of ['BTC-USDT', 'ETH-USDT', 'BTC-USDT', 'X', '']) {
        const args = { topic: 't', partitionMetadata, message: { key, value: null } };
        expect(cached(args)).toBe(reference(args));
      }
      const explicit = {
        topic: 't',
        partitionMetadata,
        message: { key: 'X', value: null, partition: 0 },
      };
      expect(cached(explicit)).toBe(0);
    }
  });
});
