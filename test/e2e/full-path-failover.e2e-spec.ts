// Engine failover on the full path: order-service (TX1, relay, settlement) and matching engines
// as real processes, traders placing and cancelling crossing orders over HTTP. kill -9 of the
// leader, SIGSTOP of the leader past its lease, and a cold start of the whole engine tier; after
// each, once the flow stops and settlement catches up: the auditor is clean, every accepted
// command has exactly one committed result, no trade is settled twice, and the leader's book
// (state hash per market) equals a reference replay of the orders topic.
import type { ServiceProcess } from '@app/testing';
import { waitFor } from '@app/testing';
import { Cluster, TraderFlow } from './support/full-path';

jest.setTimeout(180_000);

const LEASE_TTL_MS = 1_500;
const TRADERS = ['alice', 'bob', 'carol', 'dave'];
/**
 * A bound on one flow, far above what a test waits for: every flow is stopped explicitly, and a
 * slow takeover must not let the flow reach its cap before the orders the test waits for.
 */
const MAX_ORDERS = 10_000;

describe('full path: engine failover under order flow', () => {
  const cluster = new Cluster('fpfail', {
    engineEnv: { LEASE_TTL_MS: String(LEASE_TTL_MS), LEASE_RENEW_INTERVAL_MS: '500' },
  });
  const seed = Number(process.env.FULL_PATH_SEED ?? Date.now() % 1_000_000);
  const accepted: string[] = [];
  const timings: Record<string, number> = {};
  const stats: Record<string, unknown>[] = [];
  let round = 0;

  const newFlow = () =>
    new TraderFlow(cluster, {
      traders: TRADERS,
      workers: 4,
      maxOrders: MAX_ORDERS,
      pauseMs: 50,
      seed: seed + round++,
    });

  const finish = async (flow: TraderFlow, leader: ServiceProcess) => {
    await flow.stop();
    accepted.push(...flow.accepted);
    stats.push({
      accepted: flow.accepted.length,
      cancels: flow.cancelsAccepted.length,
      statuses: Object.fromEntries(flow.statuses),
      networkErrors: flow.networkErrors,
    });
    await cluster.waitQuiescent();
    await cluster.expectConsistent(accepted);
    await cluster.expectLeaderMatchesReplay(leader);
  };

  const role = async (engine: ServiceProcess) => {
    try {
      const { body } = await engine.get('/health/live');
      return JSON.stringify(body).match(/"role":"(\w+)"/)?.[1];
    } catch {
      return undefined;
    }
  };

  beforeAll(async () => {
    await cluster.setUp(['carol', 'dave']);
    await cluster.startOrderService();
    await cluster.startEngine('a');
    await cluster.waitLeader();
    await cluster.startEngine('b');
  });

  afterAll(async () => {
    const [{ trades }] = cluster.database
      ? ((await cluster.database.dataSource.query(
          `SELECT count(*)::int AS trades FROM trades`,
        )) as { trades: number }[])
      : [{ trades: 0 }];
    console.log(
      `full-path failover seed ${seed}, timings ${JSON.stringify(timings)}, flows ${JSON.stringify(stats)}, trades ${trades}`,
    );
    await cluster.tearDown();
  });

  it('kill -9 of the leader under flow: the standby takes over, nothing lost or doubled', async () => {
    const a = cluster.engines.get('a')!;
    const b = cluster.engines.get('b')!;
    expect(await role(b)).toBe('standby');
    const tokenA = BigInt((await cluster.waitLeader()).state.fencingToken!);
    const flow = newFlow();
    flow.start();
    await flow.waitAccepted(40);
    const killedAt = Date.now();
    await a.kill9();
    const leader = await cluster.waitLeader(20_000);
    timings.killToConsumingMs = Date.now() - killedAt;
    expect(leader.name).toBe('b');
    expect(BigInt(leader.state.fencingToken!)).toBeGreaterThan(tokenA);
    // The flow went on through the failover and goes on after it.
    const atTakeover = flow.accepted.length;
    await flow.waitAccepted(40);
    expect(flow.accepted.length - atTakeover).toBeGreaterThanOrEqual(40);
    await finish(flow, b);
  });

  it('SIGSTOP of the leader past its lease: the standby takes over, the old one steps down and nothing it sent later is visible', async () => {
    const b = cluster.engines.get('b')!;
    const c = await cluster.startEngine('c');
    expect(await role(c)).toBe('standby');
    const tokenB = (await cluster.waitLeader()).state.fencingToken!;
    const flow = newFlow();
    flow.start();
    await flow.waitAccepted(40);
    b.pause();
    const pausedAt = Date.now();
    let tokenC = '';
    await waitFor(
      'engine c to take over',
      async () => {
        const leader = await cluster.leader();
        if (leader?.name !== 'c') return false;
        tokenC = leader.state.fencingToken!;
        return true;
      },
      20_000,
      () => cluster.engineLogs(),
    );
    timings.pauseToConsumingMs = Date.now() - pausedAt;
    await flow.waitAccepted(20);
    b.resume();
    await waitFor('engine b to step down', async () => (await role(b)) === 'standby', 15_000);
    const atStepDown = flow.accepted.length;
    await flow.waitAccepted(30);
    expect(flow.accepted.length - atStepDown).toBeGreaterThanOrEqual(30);
    await finish(flow, c);
    expect(BigInt(tokenC)).toBeGreaterThan(BigInt(tokenB));
    // Per partition: once a result of c's term is visible, none of b's follows it.
    const byPartition = new Map<number, typeof cluster.observer.results>();
    for (const r of cluster.observer.results)
      byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
    for (const records of byPartition.values()) {
      records.sort((x, y) => Number(BigInt(x.offset) - BigInt(y.offset)));
      const firstC = records.findIndex((r) => r.fencingToken === tokenC);
      if (firstC < 0) continue;
      expect(records.slice(firstC).filter((r) => r.fencingToken === tokenB)).toEqual([]);
    }
    // Settlement's fence for the shard is c's token: nothing newer came from b.
    const fence = (await cluster.database.dataSource.query(
      `SELECT max_fencing_token::text AS token FROM settlement_shard_fencing`,
    )) as { token: string }[];
    expect(fence.map((f) => f.token)).toEqual([tokenC]);
    expect((await cluster.leader())?.name).toBe('c');
  });

  it('cold start: both engines stopped, a new one restores the same book', async () => {
    const leader = await cluster.waitLeader();
    const before = leader.state.symbols;
    for (const [, engine] of cluster.engines) await engine.stop();
    const startedAt = Date.now();
    const d = await cluster.startEngine('d');
    const restored = await cluster.waitLeader(30_000);
    timings.coldStartToConsumingMs = Date.now() - startedAt;
    expect(restored.name).toBe('d');
    const hashes = (s: typeof before) =>
      Object.fromEntries(Object.entries(s).map(([k, v]) => [k, [v.stateHash, v.eventSeq]]));
    expect(hashes(restored.state.symbols)).toEqual(hashes(before));
    // And it keeps trading from there.
    const flow = newFlow();
    flow.start();
    await flow.waitAccepted(40);
    await finish(flow, d);
  });
});
