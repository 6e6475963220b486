// A Kafka broker restart in the middle of an HTTP order flow, on a broker of this test's own:
// order-service keeps accepting orders (TX1 needs only PostgreSQL; the outbox holds the commands),
// the relay, the engine's transactions and settlement reconnect, and at the end nothing accepted
// is lost and nothing is matched or settled twice (auditor clean, one committed result per
// command, no trade twice, the leader's book equals a replay of the orders topic).
import { Cluster, TraderFlow } from './support/full-path';
import { startOwnKafka, type OwnKafka } from './support/own-kafka';

jest.setTimeout(240_000);

const TRADERS = ['alice', 'bob', 'carol', 'dave'];

describe('full path: Kafka broker restarted mid-flow', () => {
  const cluster = new Cluster('fpbroker', {
    engineEnv: { LEASE_TTL_MS: '3000', LEASE_RENEW_INTERVAL_MS: '1000' },
    kafkaLogLevel: 'nothing',
  });
  const seed = Number(process.env.FULL_PATH_SEED ?? Date.now() % 1_000_000);
  const brokersBefore = process.env.KAFKA_BROKERS;
  let kafka: OwnKafka | undefined;

  beforeAll(async () => {
    kafka = await startOwnKafka('fpbroker');
    // Topics, the observer and every service of this test use the test's own broker.
    process.env.KAFKA_BROKERS = kafka.brokers;
    await cluster.setUp(['carol', 'dave']);
    await cluster.startOrderService();
    await cluster.startEngine('a');
    await cluster.waitLeader(60_000);
    await cluster.startEngine('b');
  });

  afterAll(async () => {
    console.log(`full-path broker restart seed ${seed}`);
    await cluster.tearDown();
    await kafka?.destroy();
    if (brokersBefore === undefined) delete process.env.KAFKA_BROKERS;
    else process.env.KAFKA_BROKERS = brokersBefore;
  });

  it('loses nothing and doubles nothing across a broker restart', async () => {
    const flow = new TraderFlow(cluster, {
      traders: TRADERS,
      // At most 2 / 100 ms = 20 orders/s. The bound is far above what the test waits for
      // however long the broker restart takes; the flow is stopped explicitly.
      workers: 2,
      maxOrders: 10_000,
      pauseMs: 100,
      seed,
    });
    flow.start();
    await flow.waitAccepted(40);
    const restartAt = Date.now();
    await kafka!.restart();
    const restartMs = Date.now() - restartAt;
    const atRestart = flow.accepted.length;
    await flow.waitAccepted(40);
    await flow.stop();
    expect(flow.accepted.length - atRestart).toBeGreaterThanOrEqual(40);
    const stoppedAt = Date.now();
    await cluster.waitQuiescent(120_000);
    console.log(
      `broker restart ${restartMs} ms; flow: ${flow.accepted.length} accepted, ${flow.cancelsAccepted.length} cancels, ${flow.networkErrors} network errors, ${JSON.stringify(Object.fromEntries(flow.statuses))}; settled ${Date.now() - stoppedAt} ms after the flow stopped ${JSON.stringify(cluster.lastQuiescence)}`,
    );
    await cluster.expectConsistent(flow.accepted);
    const leader = await cluster.waitLeader();
    await cluster.expectLeaderMatchesReplay(leader.engine);
  });
});
