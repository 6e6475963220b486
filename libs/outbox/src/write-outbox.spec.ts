// Proves how writeOutbox encodes messages, how it packs a run of one topic into multi-message
// rows within the row bounds, and that it refuses to write outside a transaction, with a
// recording fake query runner (the SQL itself runs in test/integration/outbox).
import type { QueryRunner } from 'typeorm';
import { runWithRequestId } from '@app/observability';
import { decodeFrame } from './message-frame';
import {
  OUTBOX_ROW_BYTES_MAX,
  OUTBOX_ROW_MESSAGES_MAX,
  OUTBOX_WRITE_STATEMENT_ROWS_MAX,
} from './outbox.constants';
import { encodePayload, insertParameters, outboxRows, writeOutbox } from './write-outbox';

function fakeRunner(isTransactionActive = true) {
  const calls: { sql: string; params: unknown[] }[] = [];
  let nextId = 1;
  const runner = {
    isTransactionActive,
    query: async (sql: string, params: unknown[]) => {
      calls.push({ sql, params });
      const count = (params[0] as unknown[]).length;
      const ids = Array.from({ length: count }, () => String(nextId++));
      return [{ ids, notified: '' }];
    },
  };
  return { runner: runner as unknown as QueryRunner, calls };
}

describe('writeOutbox', () => {
  it('writes all rows with one statement and returns their ids in order', async () => {
    const { runner, calls } = fakeRunner();
    const ids = await writeOutbox(runner, [
      { topic: 't.orders', key: 'BTC-USDT', payload: { a: 1 }, commandId: 'c1' },
      { topic: 't.orders', key: null, payload: Buffer.from([0, 255]) },
    ]);
    expect(ids).toEqual(['1', '2']);
    expect(calls).toHaveLength(1);
    expect(calls[0].sql).toContain('unnest');
    expect(calls[0].sql).toContain('pg_notify');
  });

  it('splits a very large write into statements of the named bound', async () => {
    const { runner, calls } = fakeRunner();
    const messages = Array.from({ length: OUTBOX_WRITE_STATEMENT_ROWS_MAX + 1 }, (_, i) => ({
      topic: 't',
      key: String(i),
      payload: { i },
    }));
    const ids = await writeOutbox(runner, messages);
    expect(calls.map((c) => (c.params[0] as unknown[]).length)).toEqual([
      OUTBOX_WRITE_STATEMENT_ROWS_MAX,
      1,
    ]);
    expect(ids).toHaveLength(messages.length);
  });

  it('refuses a runner outside a transaction', async () => {
    const { runner, calls } = fakeRunner(false);
    await expect(
      writeOutbox(runner, [{ topic: 't', key: 'k', payload: {} }]),
    ).rejects.toMatchObject({ code: 'NOT_IN_TRANSACTION' });
    expect(calls).toHaveLength(0);
  });

  it('adds schema version, request id and command id headers; explicit headers win', () => {
    const [topics, keys, payloads, starts, lengths, headers, channel, counts] = runWithRequestId(
      'req-1',
      () =>
        insertParameters(
          outboxRows(
            [
              { topic: 't', key: 'k', payload: { x: '1' }, commandId: 'cmd-1' },
              { topic: 't', key: null, payload: { y: 2 }, headers: { 'x-request-id': 'other' } },
            ],
            'req-1',
            false,
          ),
        ),
    );
    expect(counts).toEqual([null, null]);
    expect(topics).toEqual(['t', 't']);
    expect(keys).toEqual(['k', null]);
    // Both payloads in one buffer, each found by its 1-based start and its length.
    expect(payloads.toString('utf8')).toBe('{"x":"1"}{"y":2}');
    expect(starts).toEqual([1, 10]);
    expect(lengths).toEqual([9, 7]);
    expect(JSON.parse(headers[0])).toEqual({
      'x-schema-version': '1',
      'x-request-id': 'req-1',
      'x-command-id': 'cmd-1',
    });
    expect(JSON.parse(headers[1])).toEqual({ 'x-schema-version': '1', 'x-request-id': 'other' });
    expect(channel).toBe('outbox');
  });

  it('keeps bytes as given and rejects a payload that is not JSON', () => {
    const bytes = new Uint8Array([1, 2, 3]).subarray(1);
    expect([...encodePayload(bytes)]).toEqual([2, 3]);
    expect(() => encodePayload({ n: 1n })).toThrow();
    expect(() => outboxRows([{ topic: '', key: 'k', payload: {} }], undefined, false)).toThrow(
      /topic/,
    );
    expect(() => outboxRows([{ topic: '', key: 'k', payload: {} }], undefined, true)).toThrow(
      /topic/,
    );
  });

  it('packs a run of one topic into one row and returns <id>:<n> outbox ids', async () => {
    const { runner, calls } = fakeRunner();
    const ids = await runWithRequestId('req-2', () =>
      writeOutbox(
        runner,
        [
          { topic: 't.orders', key: 'BTC-USDT', payload: { a: 1 }, commandId: 'c1' },
          { topic: 't.orders', key: 'ETH-USDT', payload: { a: 2 }, commandId: 'c2' },
          { topic: 't.orders', key: null, payload: Buffer.from([0, 255]) },
          { topic: 't.other', key: 'k', payload: { b: 1 } },
        ],
        { pack: true },
      ),
    );
    expect(ids).toEqual(['1:0', '1:1', '1:2', '2']);
    expect(calls).toHaveLength(1);
    const [topics, keys, payload, starts, lengths, headers, , counts] = calls[0].params as [
      string[],
      (string | null)[],
      Buffer,
      number[],
      number[],
      string[],
      string,
      (number | null)[],
    ];
    expect(topics).toEqual(['t.orders', 't.other']);
    expect(keys).toEqual([null, 'k']);
    expect(counts).toEqual([3, null]);
    expect(headers[0]).toBe('{}');
    const frame = payload.subarray(starts[0] - 1, starts[0] - 1 + lengths[0]);
    const messages = decodeFrame(frame, 3, '1');
    expect(messages.map((m) => m.key)).toEqual(['BTC-USDT', 'ETH-USDT', null]);
    expect(messages.map((m) => m.value)).toEqual([
      Buffer.from('{"a":1}'),
      Buffer.from('{"a":2}'),
      Buffer.from([0, 255]),
    ]);
    expect(messages[1].headers).toEqual({
      'x-schema-version': '1',
      'x-request-id': 'req-2',
      'x-command-id': 'c2',
    });
    expect(JSON.parse(headers[1])).toEqual({ 'x-schema-version': '1', 'x-request-id': 'req-2' });
  });

  it('keeps packed rows within the message and byte bounds, one message alone unframed', () => {
    const many = Array.from({ length: OUTBOX_ROW_MESSAGES_MAX * 2 + 1 }, (_, i) => ({
      topic: 't',
      key: 'k',
      payload: { i },
    }));
    expect(outboxRows(many, undefined, true).map((r) => r.messages)).toEqual([
      OUTBOX_ROW_MESSAGES_MAX,
      OUTBOX_ROW_MESSAGES_MAX,
      null,
    ]);
    const big = Buffer.alloc(OUTBOX_ROW_BYTES_MAX / 3);
    const rows = outboxRows(
      Array.from({ length: 4 }, () => ({ topic: 't', key: 'k', payload: big })),
      undefined,
      true,
    );
    expect(rows.map((r) => r.messages)).toEqual([2, 2]);
    for (const row of rows) expect(row.payload.length).toBeLessThanOrEqual(OUTBOX_ROW_BYTES_MAX);
    const huge = Buffer.alloc(OUTBOX_ROW_BYTES_MAX + 1);
    expect(
      outboxRows(
        [
          { topic: 't', key: 'k', payload: huge },
          { topic: 't', key: 'k', payload: {} },
        ],
        undefined,
        true,
      ).map((r) => r.messages),
    ).toEqual([null, null]);
  });
});
