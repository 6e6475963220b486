// Proves the relay's pure steps: the settled prefix stops at the first unsettled row, records
// keep id order per topic and carry their outbox id, a multi-message row expands into the records
// it was written from, in order, headers come in jsonb key order, and the backoff grows to its
// bound.
import { encodeFrame, inJsonbKeyOrder } from './message-frame';
import {
  backoffMs,
  messageCount,
  settledPrefix,
  toTopicMessages,
  type OutboxRow,
} from './relay-batch';
import { Wakeup } from './wakeup';

const row = (id: number, topic: string, settled = true): OutboxRow => ({
  id: String(id),
  topic,
  key: `k${id % 2}`,
  payload: Buffer.from(`p${id}`),
  headers: { 'x-command-id': `c${id}` },
  messages: null,
  settled,
});

/** A multi-message row of `count` messages with keys k0, k1, k0, ... and one null key last. */
const framedRow = (id: number, topic: string, count: number): OutboxRow => ({
  id: String(id),
  topic,
  key: null,
  payload: encodeFrame(
    Array.from({ length: count }, (_, n) => ({
      key: n === count - 1 ? null : `k${n % 2}`,
      headersJson: JSON.stringify({
        'x-schema-version': '1',
        'x-request-id': 'r',
        'x-command-id': `c${id}.${n}`,
      }),
      value: Buffer.from(`p${id}.${n}`),
    })),
  ),
  headers: {},
  messages: count,
  settled: true,
});

describe('relay batch', () => {
  it('takes settled rows up to the first unsettled one, never past it', () => {
    expect(settledPrefix([row(1, 't'), row(2, 't'), row(3, 't', false), row(4, 't')])).toEqual([
      row(1, 't'),
      row(2, 't'),
    ]);
    expect(settledPrefix([row(1, 't', false), row(2, 't')])).toEqual([]);
    expect(settledPrefix([row(1, 't'), row(2, 't')])).toHaveLength(2);
  });

  it('groups records by topic in id order and adds x-outbox-id', () => {
    const grouped = toTopicMessages([row(1, 'a'), row(2, 'b'), row(3, 'a')]);
    expect(grouped.map((g) => g.topic)).toEqual(['a', 'b']);
    expect(grouped[0].messages.map((m) => m.headers?.['x-outbox-id'])).toEqual(['1', '3']);
    expect(grouped[0].messages[0]).toMatchObject({
      key: 'k1',
      value: Buffer.from('p1'),
      headers: { 'x-command-id': 'c1' },
    });
  });

  it('expands a multi-message row into its records, in order, with <id>:<n> outbox ids', () => {
    const grouped = toTopicMessages([row(1, 'a'), framedRow(2, 'a', 3), row(3, 'a')]);
    expect(grouped).toHaveLength(1);
    const records = grouped[0].messages;
    expect(records.map((m) => m.headers?.['x-outbox-id'])).toEqual(['1', '2:0', '2:1', '2:2', '3']);
    expect(records.map((m) => m.key)).toEqual(['k1', 'k0', 'k1', null, 'k1']);
    expect(records.map((m) => String(m.value))).toEqual(['p1', 'p2.0', 'p2.1', 'p2.2', 'p3']);
    expect(records[2].headers).toEqual({
      'x-schema-version': '1',
      'x-request-id': 'r',
      'x-command-id': 'c2.1',
      'x-outbox-id': '2:1',
    });
    // The order a jsonb headers column gives them back in: shorter names first, then bytewise.
    expect(Object.keys(records[2].headers ?? {})).toEqual([
      'x-command-id',
      'x-request-id',
      'x-schema-version',
      'x-outbox-id',
    ]);
    expect(messageCount([row(1, 'a'), framedRow(2, 'a', 3)])).toBe(4);
  });

  it('puts headers in jsonb key order, keeping an object that already is', () => {
    const ordered = { 'x-command-id': 'c', 'x-request-id': 'r', 'x-schema-version': '1' };
    expect(inJsonbKeyOrder(ordered)).toBe(ordered);
    const unordered = { 'x-schema-version': '1', 'x-request-id': 'r', 'x-command-id': 'c' };
    expect(Object.keys(inJsonbKeyOrder(unordered))).toEqual(Object.keys(ordered));
    // Byte order, not code-unit order, for names beyond ASCII: 'é' is two bytes.
    expect(Object.keys(inJsonbKeyOrder({ é: '1', ab: '2', z: '3' }))).toEqual(['z', 'ab', 'é']);
  });

  it('refuses a multi-message row whose frame does not hold its count', () => {
    const short = { ...framedRow(4, 'a', 3), messages: 4 };
    expect(() => toTopicMessages([short])).toThrow(/broken frame/);
    const cut = framedRow(5, 'a', 3);
    const truncated = { ...cut, payload: cut.payload.subarray(0, cut.payload.length - 1) };
    expect(() => toTopicMessages([truncated])).toThrow(/broken frame/);
  });

  it('refuses a frame whose headers are not JSON or hold a value that is not a string', () => {
    const frameOf = (headersJson: string) => ({
      ...framedRow(6, 'a', 1),
      messages: 1,
      payload: encodeFrame([{ key: 'k', headersJson, value: Buffer.from('v') }]),
    });
    expect(() => toTopicMessages([frameOf('{not json')])).toThrow(
      /outbox row 6: broken frame \(headers are not JSON\)/,
    );
    expect(() => toTopicMessages([frameOf('{"x-n":1}')])).toThrow(
      /broken frame \(a header value is not a string\)/,
    );
    expect(() => toTopicMessages([frameOf('{"x-n":"1"}')])).not.toThrow();
  });

  it('refuses a batch out of id order', () => {
    expect(() => toTopicMessages([row(2, 'a'), row(1, 'a')])).toThrow(/id order/);
  });

  it('backs off exponentially up to the bound', () => {
    expect([1, 2, 3, 10, 100].map((n) => backoffMs(n, 200, 10_000))).toEqual([
      200, 400, 800, 10_000, 10_000,
    ]);
  });
});

describe('Wakeup', () => {
  it('keeps a wake-up that arrives while nobody waits', async () => {
    const wakeup = new Wakeup();
    wakeup.wake();
    await expect(wakeup.wait(60_000)).resolves.toBe(true);
  });

  it('ends a wait early on wake, and times out otherwise', async () => {
    const wakeup = new Wakeup();
    const waiting = wakeup.wait(60_000);
    wakeup.wake();
    await expect(waiting).resolves.toBe(true);
    await expect(wakeup.wait(5)).resolves.toBe(false);
  });
});
