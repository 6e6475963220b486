// Proves the elector's local safety rules with a scripted lease store and a fake monotonic
// clock: it leads only after the store grants the lease, steps down on a refused or failed
// renewal, and steps down by itself once its deadline passes without a renewal.
import { LeaderElector, type SqlQuery } from './leader-elector';

function scriptedStore() {
  const answers: (Record<string, unknown>[] | Error)[] = [];
  const calls: string[] = [];
  const query: SqlQuery = async (sql) => {
    const kind = sql.includes('INSERT')
      ? 'ensure'
      : sql.includes('token + 1')
        ? 'acquire'
        : sql.includes('-infinity')
          ? 'release'
          : 'renew';
    calls.push(kind);
    if (kind === 'ensure' || kind === 'release') return [];
    const next = answers.shift() ?? [];
    if (next instanceof Error) throw next;
    return next;
  };
  return { query, answers, calls };
}

describe('LeaderElector', () => {
  let clock = 0;
  const options = {
    leaseName: 'l',
    holderId: 'a',
    ttlMs: 3000,
    renewIntervalMs: 1000,
    now: () => clock,
  };

  beforeEach(() => {
    jest.useFakeTimers();
    clock = 1_000;
  });
  afterEach(() => jest.useRealTimers());

  it('refuses a renew interval longer than half the TTL', () => {
    expect(() => new LeaderElector(async () => [], { ...options, renewIntervalMs: 2000 })).toThrow(
      /at most half/,
    );
  });

  it('becomes leader with the granted token, then steps down when renewal is refused', async () => {
    const store = scriptedStore();
    store.answers.push([{ token: '7' }], [{ token: '7' }], []);
    const elector = new LeaderElector(store.query, options);
    const changes: string[] = [];
    elector.on('change', (state, reason) =>
      changes.push(`${state.role}:${state.token ?? '-'}:${reason}`),
    );
    await elector.start();
    expect(elector.current()).toEqual({ role: 'leader', token: 7n });
    await jest.advanceTimersByTimeAsync(1000);
    expect(elector.isLeader()).toBe(true);
    await jest.advanceTimersByTimeAsync(1000);
    expect(elector.isLeader()).toBe(false);
    expect(changes).toEqual(['leader:7:lease acquired', 'follower:-:renewal refused: lease lost']);
    await elector.stop();
  });

  it('steps down at once when a renewal fails', async () => {
    const store = scriptedStore();
    store.answers.push([{ token: '3' }], new Error('connection reset'));
    const elector = new LeaderElector(store.query, options);
    const failures: unknown[] = [];
    elector.on('failure', (error) => failures.push(error));
    await elector.start();
    expect(elector.isLeader()).toBe(true);
    await jest.advanceTimersByTimeAsync(1000);
    expect(elector.isLeader()).toBe(false);
    expect(failures).toHaveLength(1);
    await elector.stop();
  });

  it('counts its lease from when the request was sent and steps down when that deadline passes', async () => {
    const store = scriptedStore();
    store.answers.push([{ token: '1' }]);
    const elector = new LeaderElector(store.query, options);
    await elector.start();
    expect(elector.isLeader()).toBe(true);
    // The process is frozen (no timers run) while the monotonic clock moves past the TTL.
    clock += 3000;
    expect(elector.isLeader()).toBe(false);
    expect(elector.current().token).toBeUndefined();
    await elector.stop();
  });

  it('releases its lease on stop so a standby can take over without waiting for expiry', async () => {
    const store = scriptedStore();
    store.answers.push([{ token: '5' }]);
    const elector = new LeaderElector(store.query, options);
    await elector.start();
    await elector.stop();
    expect(store.calls).toEqual(['ensure', 'acquire', 'release']);
    expect(elector.current().role).toBe('stopped');
  });

  it('hands over: steps down, releases the lease and campaigns again only after the hold-off', async () => {
    const store = scriptedStore();
    store.answers.push([{ token: '5' }], [{ token: '9' }]);
    const elector = new LeaderElector(store.query, options);
    const changes: string[] = [];
    elector.on('change', (state, reason) => changes.push(`${state.role}:${reason}`));
    await elector.start();
    await elector.handOver(5_000);
    expect(elector.current()).toEqual({ role: 'follower', token: undefined });
    expect(store.calls).toEqual(['ensure', 'acquire', 'release']);
    // Ticks during the hold-off do not try to acquire, so a standby gets the lease first.
    clock += 4_000;
    await jest.advanceTimersByTimeAsync(4_000);
    expect(store.calls).toEqual(['ensure', 'acquire', 'release']);
    clock += 1_000;
    await jest.advanceTimersByTimeAsync(1_000);
    expect(store.calls).toEqual(['ensure', 'acquire', 'release', 'acquire']);
    expect(elector.current()).toEqual({ role: 'leader', token: 9n });
    expect(changes).toEqual([
      'leader:lease acquired',
      'follower:handed over',
      'leader:lease acquired',
    ]);
    await elector.stop();
  });
});
