// Proves topic naming and the topic contract: prefixes apply, bad names and partition counts are refused.
import { MessagingError } from './messaging-error';
import { defaultTopicSpecs, LOGICAL_TOPICS, TOPICS, topicName } from './topics';

describe('topicName', () => {
  it('prepends the run prefix to the logical name', () => {
    expect(topicName('', TOPICS.orders.logical)).toBe('exchange.orders');
    expect(topicName('t_abc.', TOPICS.orders.logical)).toBe('t_abc.exchange.orders');
  });

  it.each(['t abc.', 'a/b', 'ü.'])('refuses the prefix %p', (prefix) => {
    expect(() => topicName(prefix, 'exchange.orders')).toThrow(MessagingError);
  });

  it('refuses names Kafka would refuse', () => {
    expect(() => topicName('', '')).toThrow(
      expect.objectContaining({ code: 'INVALID_TOPIC_NAME' }),
    );
    expect(() => topicName('', '..')).toThrow(
      expect.objectContaining({ code: 'INVALID_TOPIC_NAME' }),
    );
    expect(() => topicName('x'.repeat(240), 'exchange.orders')).toThrow(MessagingError);
  });
});

describe('defaultTopicSpecs', () => {
  it('lists every contract topic with its default partitions', () => {
    const specs = defaultTopicSpecs();
    expect(specs.map((s) => s.logical)).toEqual([
      'exchange.orders',
      'exchange.engine.results',
      'exchange.trades',
      'exchange.book',
      'exchange.engine.snapshots',
      'exchange.user-updates',
      'exchange.meta',
    ]);
    expect(specs.map((s) => s.logical)).toEqual(LOGICAL_TOPICS);
    const singlePartition = ['exchange.engine.snapshots', 'exchange.meta'];
    expect(
      specs.filter((s) => !singlePartition.includes(s.logical)).every((s) => s.partitions === 8),
    ).toBe(true);
    expect(specs.find((s) => s.logical === 'exchange.engine.snapshots')?.partitions).toBe(1);
    expect(specs.find((s) => s.logical === 'exchange.meta')?.partitions).toBe(1);
  });

  it('keeps every record of the metadata topic for ever, and only it has broker configs', () => {
    const specs = defaultTopicSpecs();
    expect(specs.find((s) => s.logical === 'exchange.meta')?.configs).toEqual({
      'cleanup.policy': 'delete',
      'retention.ms': '-1',
      'retention.bytes': '-1',
    });
    expect(specs.filter((s) => s.configs !== undefined).map((s) => s.logical)).toEqual([
      'exchange.meta',
    ]);
  });

  it('refuses another partition count for the metadata topic, and accepts its own', () => {
    expect(() => defaultTopicSpecs({ 'exchange.meta': 8 })).toThrow(
      expect.objectContaining({ code: 'INVALID_PARTITION_COUNT' }),
    );
    expect(
      defaultTopicSpecs({ 'exchange.meta': 1 }).find((s) => s.logical === 'exchange.meta'),
    ).toMatchObject({ partitions: 1 });
  });

  it('applies partition overrides by logical name', () => {
    const specs = defaultTopicSpecs({ 'exchange.orders': 2 });
    expect(specs.find((s) => s.logical === 'exchange.orders')?.partitions).toBe(2);
    expect(specs.find((s) => s.logical === 'exchange.trades')?.partitions).toBe(8);
  });

  it.each([0, -1, 1.5, 257, Number.NaN])('refuses %p partitions', (n) => {
    expect(() => defaultTopicSpecs({ 'exchange.book': n })).toThrow(
      expect.objectContaining({ code: 'INVALID_PARTITION_COUNT' }),
    );
  });

  it('keys per-user updates by user, snapshots by shard, metadata by kind and everything else by symbol', () => {
    expect(TOPICS.userUpdates.key).toBe('userId');
    expect(TOPICS.engineSnapshots.key).toBe('shard');
    expect(TOPICS.meta.key).toBe('kind');
    const others = Object.values(TOPICS).filter(
      (t) => t !== TOPICS.userUpdates && t !== TOPICS.engineSnapshots && t !== TOPICS.meta,
    );
    expect(others.every((t) => t.key === 'symbol')).toBe(true);
  });
});
