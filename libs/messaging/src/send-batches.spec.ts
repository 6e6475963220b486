// Proves a transaction's records are cut into sends under the byte and message bounds per topic,
// in order, without dropping a record larger than the bound.
import type { Message } from 'kafkajs';
import { approximateRecordBytes, splitIntoSends } from './send-batches';

describe('splitIntoSends', () => {
  const message = (i: number, size = 100): Message => ({
    key: 'K',
    value: `${i}`.padEnd(size, 'x'),
    headers: { 'x-command-id': `c-${i}` },
  });

  it('keeps a small transaction in one send', () => {
    const records = [
      { topic: 'r', messages: [message(1), message(2)] },
      { topic: 't', messages: [message(3)] },
    ];
    expect(splitIntoSends(records, 10_000)).toEqual([records]);
  });

  it('cuts each topic into consecutive sends under the byte and message bounds, in order', () => {
    const results = Array.from({ length: 25 }, (_, i) => message(i, 1_000));
    const book = Array.from({ length: 7 }, (_, i) => message(100 + i, 10));
    const maxBytes = 4 * approximateRecordBytes(results[0]);
    const sends = splitIntoSends(
      [
        { topic: 'r', messages: results },
        { topic: 'b', messages: book },
      ],
      maxBytes,
      3,
    );
    for (const send of sends) {
      for (const { messages } of send) {
        expect(messages.length).toBeLessThanOrEqual(3);
        const bytes = messages.reduce((sum, m) => sum + approximateRecordBytes(m), 0);
        expect(bytes).toBeLessThanOrEqual(maxBytes);
      }
    }
    const of = (topic: string) =>
      sends.flatMap((send) => send.filter((t) => t.topic === topic).flatMap((t) => t.messages));
    expect(of('r')).toEqual(results);
    expect(of('b')).toEqual(book);
    expect(sends).toHaveLength(Math.ceil(25 / 3));
  });

  it('sends a record larger than the bound on its own rather than dropping it', () => {
    const big = message(1, 5_000);
    expect(
      splitIntoSends([{ topic: 'r', messages: [message(0), big, message(2)] }], 1_000),
    ).toEqual([
      [{ topic: 'r', messages: [message(0)] }],
      [{ topic: 'r', messages: [big] }],
      [{ topic: 'r', messages: [message(2)] }],
    ]);
  });

  it('estimates at least the bytes of key, value and headers', () => {
    const m = message(7, 300);
    expect(approximateRecordBytes(m)).toBeGreaterThan(1 + 300 + 'x-command-id'.length + 3);
  });
});
