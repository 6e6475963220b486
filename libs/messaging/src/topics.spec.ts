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
    ]);
    expect(specs.map((s) => s.logical)).toEqual(LOGICAL_TOPICS);
    expect(
      specs
        .filter((s) => s.logical !== 'exchange.engine.snapshots')
        .every((s) => s.partitions === 8),
    ).toBe(true);
    expect(specs.find((s) => s.logical === 'exchange.engine.snapshots')?.partitions).toBe(1);
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

  it('keys per-user updates by user, snapshots by shard and everything else by symbol', () => {
    expect(TOPICS.userUpdates.key).toBe('userId');
    expect(TOPICS.engineSnapshots.key).toBe('shard');
    const others = Object.values(TOPICS).filter(
      (t) => t !== TOPICS.userUpdates && t !== TOPICS.engineSnapshots,
    );
    expect(others.every((t) => t.key === 'symbol')).toBe(true);
  });
});
