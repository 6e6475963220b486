// Proves the watchdog's escalation on a scripted log end and scripted sessions (fake clock, fake
// admin): a stall restarts the session once, a stall that outlives the next session's whole bound
// hands the lease over, a crash-looping leader (no session consumes) is stalled too, any move of a
// position clears it, and an idle leader or a broker that does not answer is never stalled.
import type { Kafka } from 'kafkajs';
import type { Logger } from '@app/observability';
import { engineMetrics } from '../engine.metrics';
import type { LeaderSession } from './leader-session';
import { ProgressWatchdog } from './progress-watchdog';

const BOUND_MS = 5_000;

class FakeSession {
  readonly offsets = new Map<number, bigint>([[0, 10n]]);
  consuming = true;
  aborted: Error | undefined;
  positions() {
    return this.consuming ? this.offsets : undefined;
  }
  abort(error: Error) {
    this.aborted = error;
  }
}

function setUp() {
  let end: bigint | Error = 10n;
  const logged: { level: string; msg: string }[] = [];
  const log =
    (level: string) =>
    (_facts: unknown, msg: string): void => {
      logged.push({ level, msg });
    };
  const logger = { info: log('info'), warn: log('warn'), error: log('error') } as unknown as Logger;
  const kafka = {
    admin: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      fetchTopicOffsets: async () => {
        if (end instanceof Error) throw end;
        return [{ partition: 0, offset: end.toString(), high: end.toString(), low: '0' }];
      },
    }),
  } as unknown as Kafka;
  const state = { session: undefined as FakeSession | undefined, handOvers: 0 };
  const watchdog = new ProgressWatchdog({
    kafka,
    ordersTopic: 'orders',
    shard: 0,
    stallTimeoutMs: BOUND_MS,
    logger,
    metrics: engineMetrics(),
    session: () => state.session as unknown as LeaderSession | undefined,
    handOver: async () => {
      state.handOvers += 1;
    },
  });
  return {
    watchdog,
    state,
    logged,
    setEnd: (value: bigint | Error) => (end = value),
    errors: () => logged.filter((l) => l.level === 'error').map((l) => l.msg),
  };
}

describe('ProgressWatchdog', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Runs the watchdog's probes for `ms` of fake time. */
  const run = (ms: number) => jest.advanceTimersByTimeAsync(ms);

  it('never calls an idle leader stalled', async () => {
    const t = setUp();
    t.state.session = new FakeSession();
    t.watchdog.start();
    await run(60_000);
    expect(t.watchdog.status()).toEqual({
      lagCommands: '0',
      secondsSinceProgress: 0,
      stalled: false,
    });
    expect(t.state.session.aborted).toBeUndefined();
    await t.watchdog.stop();
  });

  it('restarts a stalled session once, then hands over when the next one stalls a whole bound', async () => {
    const t = setUp();
    const first = new FakeSession();
    t.state.session = first;
    t.watchdog.start();
    t.setEnd(50n);
    await run(BOUND_MS + 2_000);
    expect(first.aborted?.name).toBe('EngineStalledError');
    expect(t.watchdog.status()).toMatchObject({ lagCommands: '40', stalled: true });
    await expect(t.watchdog.check()).rejects.toThrow('no progress');
    // The next session restores at the same committed positions and stays stuck.
    const second = new FakeSession();
    t.state.session = second;
    await run(BOUND_MS - 2_000);
    expect(t.state.handOvers).toBe(0);
    await run(3_000);
    expect(t.state.handOvers).toBe(1);
    expect(second.aborted).toBeUndefined();
    expect(t.errors()).toEqual([
      'engine leader made no progress on waiting commands; restarting its session from the committed offsets',
      'engine leader still made no progress after a session restart; handing the lease over',
    ]);
    t.watchdog.leadershipEnded();
    expect(t.watchdog.status()).toBeUndefined();
    await expect(t.watchdog.check()).resolves.toBeUndefined();
    await t.watchdog.stop();
  });

  it('clears the stall as soon as a position moves after the restart', async () => {
    const t = setUp();
    t.state.session = new FakeSession();
    t.watchdog.start();
    t.setEnd(50n);
    await run(BOUND_MS + 2_000);
    expect(t.watchdog.status()?.stalled).toBe(true);
    const next = new FakeSession();
    t.state.session = next;
    next.offsets.set(0, 11n);
    await run(1_000);
    expect(t.watchdog.status()).toMatchObject({ lagCommands: '39', stalled: false });
    next.offsets.set(0, 50n);
    await run(BOUND_MS * 3);
    expect(t.state.handOvers).toBe(0);
    expect(next.aborted).toBeUndefined();
    expect(t.watchdog.status()).toEqual({
      lagCommands: '0',
      secondsSinceProgress: 0,
      stalled: false,
    });
    await t.watchdog.stop();
  });

  it('calls a crash-looping leader stalled: no session consumes, the committed positions stand', async () => {
    const t = setUp();
    const first = new FakeSession();
    t.state.session = first;
    t.watchdog.start();
    await run(1_000);
    t.setEnd(50n);
    // Every later session fails during its restore, never consuming.
    t.state.session = undefined;
    await run(BOUND_MS + 2_000);
    expect(t.watchdog.status()?.stalled).toBe(true);
    await run(BOUND_MS + 1_000);
    expect(t.state.handOvers).toBe(1);
    await t.watchdog.stop();
  });

  it('measures nothing while the broker does not answer', async () => {
    const t = setUp();
    t.state.session = new FakeSession();
    t.watchdog.start();
    t.setEnd(new Error('broker down'));
    await run(BOUND_MS * 4);
    expect(t.watchdog.status()).toBeUndefined();
    expect(t.state.session.aborted).toBeUndefined();
    expect(t.logged.filter((l) => l.level === 'warn')).toHaveLength(1);
    await t.watchdog.stop();
  });
});
