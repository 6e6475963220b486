// kill -9 of order-service (HTTP API, TX1, outbox relay and settlement in one process) in the
// middle of an HTTP order flow, then a restart on the same port: every order that got a 201 and
// every order row TX1 committed reaches the engine exactly once and is settled exactly once
// (auditor clean, one committed result per command, no trade twice), and the engine's book
// equals a replay of the orders topic (the relay may publish a command twice; the engine and
// the replay both drop the duplicate).
import { sleep } from '@app/testing';
import { Cluster, TraderFlow } from './support/full-path';

jest.setTimeout(180_000);

const TRADERS = ['alice', 'bob', 'carol', 'dave'];

describe('full path: order-service killed and restarted mid-flow', () => {
  const cluster = new Cluster('fposrst');
  const seed = Number(process.env.FULL_PATH_SEED ?? Date.now() % 1_000_000);

  beforeAll(async () => {
    await cluster.setUp(['carol', 'dave']);
    await cluster.startOrderService();
    await cluster.startEngine('a');
    await cluster.waitLeader();
  });

  afterAll(async () => {
    console.log(`full-path order-service restart seed ${seed}`);
    await cluster.tearDown();
  });

  it('loses nothing and doubles nothing across kill -9 and restart', async () => {
    const flow = new TraderFlow(cluster, {
      traders: TRADERS,
      workers: 6,
      // Far above what the test waits for; the flow is stopped explicitly.
      maxOrders: 10_000,
      pauseMs: 20,
      seed,
    });
    flow.start();
    await flow.waitAccepted(60);
    await cluster.orderService!.kill9();
    const atKill = flow.accepted.length;
    await sleep(500);
    await cluster.startOrderService();
    await flow.waitAccepted(60);
    await flow.stop();
    expect(flow.accepted.length - atKill).toBeGreaterThanOrEqual(60);
    console.log(
      `flow: ${flow.accepted.length} accepted, ${flow.cancelsAccepted.length} cancels, ${flow.networkErrors} network errors, ${JSON.stringify(Object.fromEntries(flow.statuses))}`,
    );
    const stoppedAt = Date.now();
    await cluster.waitQuiescent(90_000);
    console.log(
      `settled ${Date.now() - stoppedAt} ms after the flow stopped ${JSON.stringify(cluster.lastQuiescence)}`,
    );
    await cluster.expectConsistent(flow.accepted);
    const leader = await cluster.waitLeader();
    await cluster.expectLeaderMatchesReplay(leader.engine);
  });
});
