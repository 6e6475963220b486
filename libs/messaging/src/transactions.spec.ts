// Proves the transaction helpers commit on success, abort on failure, and map fencing, with a fake kafkajs producer.
import type { Producer, Transaction } from 'kafkajs';
import { MessagingError } from './messaging-error';
import {
  groupOffsetsByTopic,
  offsetAfter,
  runInTransaction,
  runTransactionalBatch,
} from './transactions';

function fakeProducer(
  overrides: Partial<Record<'commit' | 'abort' | 'sendBatch', () => Promise<unknown>>> = {},
) {
  const calls: string[] = [];
  let active = true;
  const tx = {
    sendBatch: jest.fn(async () => {
      calls.push('sendBatch');
      return overrides.sendBatch
        ? overrides.sendBatch()
        : [{ topicName: 'out', partition: 0, errorCode: 0 }];
    }),
    sendOffsets: jest.fn(async () => {
      calls.push('sendOffsets');
    }),
    commit: jest.fn(async () => {
      calls.push('commit');
      if (overrides.commit) await overrides.commit();
      active = false;
    }),
    abort: jest.fn(async () => {
      calls.push('abort');
      if (overrides.abort) await overrides.abort();
      active = false;
    }),
    isActive: () => active,
  };
  const producer = { transaction: async () => tx as unknown as Transaction } as unknown as Producer;
  return { producer, tx, calls };
}

const fenced = Object.assign(new Error('The producer attempted to use an old epoch'), {
  type: 'INVALID_PRODUCER_EPOCH',
  code: 47,
});

describe('offsetAfter and groupOffsetsByTopic', () => {
  it('adds one without losing precision', () => {
    expect(offsetAfter('0')).toBe('1');
    expect(offsetAfter('9007199254740993')).toBe('9007199254740994');
    expect(() => offsetAfter('-1')).toThrow();
    expect(() => offsetAfter('1.5')).toThrow();
  });

  it('groups positions by topic and refuses a partition twice', () => {
    expect(
      groupOffsetsByTopic([
        { topic: 'a', partition: 0, offset: '5' },
        { topic: 'b', partition: 1, offset: '7' },
        { topic: 'a', partition: 2, offset: '9' },
      ]),
    ).toEqual([
      {
        topic: 'a',
        partitions: [
          { partition: 0, offset: '5' },
          { partition: 2, offset: '9' },
        ],
      },
      { topic: 'b', partitions: [{ partition: 1, offset: '7' }] },
    ]);
    expect(() =>
      groupOffsetsByTopic([
        { topic: 'a', partition: 0, offset: '5' },
        { topic: 'a', partition: 0, offset: '6' },
      ]),
    ).toThrow(/twice/);
  });
});

describe('runInTransaction', () => {
  it('commits when the work resolves', async () => {
    const { producer, calls } = fakeProducer();
    await expect(runInTransaction(producer, async () => 42)).resolves.toBe(42);
    expect(calls).toEqual(['commit']);
  });

  it('aborts and rethrows the error of the work unchanged', async () => {
    const { producer, calls } = fakeProducer();
    const boom = new Error('boom');
    await expect(runInTransaction(producer, async () => Promise.reject(boom))).rejects.toBe(boom);
    expect(calls).toEqual(['abort']);
  });

  it('reports fencing as PRODUCER_FENCED without trying to abort', async () => {
    const { producer, calls } = fakeProducer({ commit: async () => Promise.reject(fenced) });
    const err = await runInTransaction(producer, async () => 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MessagingError);
    expect(err).toMatchObject({ code: 'PRODUCER_FENCED', cause: fenced });
    expect(calls).toEqual(['commit']);
  });

  it('reports a failed abort as TRANSACTION_ABORT_FAILED with the original cause', async () => {
    const { producer } = fakeProducer({
      abort: async () => Promise.reject(new Error('broker gone')),
    });
    const boom = new Error('boom');
    await expect(
      runInTransaction(producer, async () => Promise.reject(boom)),
    ).rejects.toMatchObject({
      code: 'TRANSACTION_ABORT_FAILED',
      cause: boom,
    });
  });
});

describe('runTransactionalBatch', () => {
  it('sends records, then offsets, then commits', async () => {
    const { producer, tx, calls } = fakeProducer();
    await runTransactionalBatch(producer, {
      consumerGroupId: 'engine-0',
      nextOffsets: [{ topic: 'in', partition: 3, offset: '11' }],
      records: [{ topic: 'out', messages: [{ key: 'BTC-USDT', value: 'x' }] }],
    });
    expect(calls).toEqual(['sendBatch', 'sendOffsets', 'commit']);
    expect(tx.sendOffsets).toHaveBeenCalledWith({
      consumerGroupId: 'engine-0',
      topics: [{ topic: 'in', partitions: [{ partition: 3, offset: '11' }] }],
    });
  });

  it('refuses an empty batch', async () => {
    const { producer } = fakeProducer();
    await expect(
      runTransactionalBatch(producer, { consumerGroupId: 'g', nextOffsets: [], records: [] }),
    ).rejects.toThrow(/nothing to send/);
  });
});
