// Proves the leader's progress watchdog on the full path (order-service, two matching engines,
// real settlement), with the leader's consumer frozen through the engines' fault hook while
// traders keep placing orders: a frozen session is noticed within the bound and restarted from
// the committed offsets, and the same leader goes on; when the restarted session is frozen too,
// the leader reports the stall in readiness and metrics and hands the lease over, and the standby
// takes over. After each, the auditor is clean, every command has exactly one result, and the
// leader's books equal a reference replay of the command log. The watchdog's error lines
// ("made no progress", "still made no progress") are expected here.
import type { ServiceProcess } from '@app/testing';
import { waitFor } from '@app/testing';
import { Cluster, TraderFlow } from './support/full-path';

jest.setTimeout(240_000);

/** The engines' ENGINE_STALL_TIMEOUT_MS: short, so the test waits seconds, not tens of them. */
const STALL_TIMEOUT_MS = 3_000;
/** Slack above the bound for one watchdog probe, a restart and a loaded machine. */
const NOTICE_SLACK_MS = 15_000;

/** A counter or gauge of the engine's /metrics, summed over its series; 0 when absent. */
async function metric(engine: ServiceProcess, name: string, labels = ''): Promise<number> {
  const { text } = await engine.get('/metrics');
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (labels !== '' && !line.includes(labels)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function freeze(engine: ServiceProcess, sessions: number): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${engine.port}/engine/faults/stall`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sessions }),
  });
  expect(response.status).toBe(204);
}

describe('engine progress watchdog: a frozen leader is restarted, then handed over', () => {
  const cluster = new Cluster('watchdog', {
    engineEnv: { ENGINE_FAULT_HOOKS: 'true', ENGINE_STALL_TIMEOUT_MS: String(STALL_TIMEOUT_MS) },
  });
  const seed = Number(process.env.FULL_PATH_SEED ?? Date.now() % 1_000_000);
  const accepted: string[] = [];
  let flows = 0;

  const newFlow = () =>
    new TraderFlow(cluster, {
      traders: ['alice', 'bob', 'carol', 'dave'],
      workers: 4,
      maxOrders: 10_000,
      pauseMs: 50,
      seed: seed + flows++,
    });

  const finish = async (flow: TraderFlow, leader: ServiceProcess) => {
    await flow.stop();
    accepted.push(...flow.accepted);
    await cluster.waitQuiescent();
    await cluster.expectConsistent(accepted);
    await cluster.expectLeaderMatchesReplay(leader);
  };

  beforeAll(async () => {
    await cluster.setUp(['carol', 'dave']);
    await cluster.startOrderService();
    await cluster.startEngine('a');
    await cluster.waitLeader();
    await cluster.startEngine('b');
  });

  afterAll(async () => {
    console.log(`engine watchdog seed ${seed}, accepted ${accepted.length}`);
    await cluster.tearDown();
  });

  it('restarts a frozen session from the committed offsets; the same leader goes on', async () => {
    const leader = await cluster.waitLeader();
    const flow = newFlow();
    flow.start();
    await flow.waitAccepted(30);
    await freeze(leader.engine, 1);
    const frozenAt = Date.now();
    await waitFor(
      'the watchdog to restart the frozen session',
      async () => (await metric(leader.engine, 'engine_stalls_total', 'action="restart"')) === 1,
      STALL_TIMEOUT_MS + NOTICE_SLACK_MS,
      () => cluster.engineLogs(),
    );
    console.log(`stall noticed and session restarted ${Date.now() - frozenAt} ms after the freeze`);
    // The restarted session consumes again: orders placed now get matched.
    await flow.waitAccepted(30);
    await finish(flow, leader.engine);
    expect((await cluster.leader())?.name).toBe(leader.name);
    expect((await cluster.leader())?.state.fencingToken).toBe(leader.state.fencingToken);
    expect(await metric(leader.engine, 'engine_stalls_total', 'action="handover"')).toBe(0);
    // A gauge sampled every second: the next probe sees nothing waiting.
    await waitFor(
      'the lag gauge to read 0',
      async () => (await metric(leader.engine, 'engine_input_lag_commands')) === 0,
      5_000,
    );
    expect((await leader.engine.get('/health/ready')).status).toBe(200);
  });

  it('reports a stall that a restart does not cure in readiness and metrics, then hands the lease over', async () => {
    const leader = await cluster.waitLeader();
    const standby = [...cluster.engines].find(([name]) => name !== leader.name)!;
    const flow = newFlow();
    flow.start();
    await flow.waitAccepted(30);
    await freeze(leader.engine, 2);
    // While stalled: readiness 503 naming the pipeline, lag and time since progress in metrics.
    let seen: { ready: number; body: string; lag: number; still: number } | undefined;
    await waitFor(
      'the stalled leader to say so in readiness and metrics',
      async () => {
        const ready = await leader.engine.get('/health/ready');
        if (ready.status !== 503 || !ready.text.includes('no progress')) return false;
        const lag = await metric(leader.engine, 'engine_input_lag_commands');
        const still = await metric(leader.engine, 'engine_seconds_since_progress');
        seen = { ready: ready.status, body: ready.text, lag, still };
        return lag > 0 && still >= STALL_TIMEOUT_MS / 1000;
      },
      2 * STALL_TIMEOUT_MS + NOTICE_SLACK_MS,
      () => `${JSON.stringify(seen)}\n${cluster.engineLogs()}`,
    );
    expect(seen!.body).toContain('"matching"');
    await waitFor(
      'the standby to take over',
      async () => (await cluster.leader())?.name === standby[0],
      2 * STALL_TIMEOUT_MS + NOTICE_SLACK_MS + 30_000,
      () => cluster.engineLogs(),
    );
    expect(await metric(leader.engine, 'engine_stalls_total', 'action="handover"')).toBe(1);
    await flow.waitAccepted(30);
    await finish(flow, standby[1]);
    // The old leader is a healthy standby now.
    expect((await leader.engine.get('/health/ready')).status).toBe(200);
  });
});
