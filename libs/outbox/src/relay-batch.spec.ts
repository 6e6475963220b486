// Proves the relay's pure steps: the settled prefix stops at the first unsettled row, records
// keep id order per topic and carry their row id, and the backoff grows to its bound.
import { backoffMs, settledPrefix, toTopicMessages, type OutboxRow } from './relay-batch';
import { Wakeup } from './wakeup';

const row = (id: number, topic: string, settled = true): OutboxRow => ({
  id: String(id),
  topic,
  key: `k${id % 2}`,
  payload: Buffer.from(`p${id}`),
  headers: { 'x-command-id': `c${id}` },
  settled,
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
