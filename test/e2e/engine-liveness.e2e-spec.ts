// Proves the active engine keeps its place in the orders log through quiet spells and rebalances,
// on the full path (order-service, two matching engines, real settlement): after a burst longer
// than one fetch and a quiet spell longer than every session timeout, a crossing pair settles at
// once; a leader frozen past its consumer session (a long GC pause, a stolen VM) is dropped by
// the coordinator and rejoins at its committed position; a second member joining and leaving the
// leader's consumer group (each a rebalance that used to put kafkajs back at offset 0) while idle
// and under flow skips and repeats nothing;
// alternating bursts, cancel-alls and quiet spells leave every order final; and a cold restore
// from the database reproduces the leader's books. Each part ends with the auditor clean, one
// result per command, and the leader's books equal to a reference replay of the command log.
// The engines' lease lasts 20 s here, so that the freeze outlasts the consumer session but not
// the lease; kafkajs's "coordinator is not aware of this member" error is expected in that test
// only, and the others assert that it does not appear.
import { Kafka, AssignerProtocol, type Consumer, type PartitionAssigner } from 'kafkajs';
import { TOPICS } from '@app/messaging';
import { kafkaBrokersForTests, sleep, waitFor, type ServiceProcess } from '@app/testing';
import { Cluster, TraderFlow } from './support/full-path';

jest.setTimeout(300_000);

/**
 * A quiet spell longer than every timeout an idle pipeline lives with: the engine's and
 * settlement's consumer sessions (10 s each), the lease TTL (3 s) and kafkajs's fetch waits.
 */
const QUIET_MS = 15_000;
/** How long a crossing pair may take to settle after a quiet spell: "at once", with slack. */
const SETTLE_WITHIN_MS = 10_000;
/** Orders per batch request (the API's maximum) and batches per burst. */
const BATCH_ORDERS = 1_000;
const BURST_BATCHES = 5;
/** The line kafkajs logs when the coordinator dropped a member that missed its session. */
const DROPPED_MEMBER = 'The coordinator is not aware of this member';
/** The engines' consumer session timeout (ENGINE_CONSUMER_SESSION_TIMEOUT_MS). */
const CONSUMER_SESSION_MS = 10_000;
/** A lease that survives a freeze longer than the consumer session. */
const LEASE_TTL_MS = 20_000;

describe('engine liveness: quiet spells, rebalances and a soak on the full path', () => {
  const cluster = new Cluster('liveness', {
    engineEnv: { LEASE_TTL_MS: String(LEASE_TTL_MS), LEASE_RENEW_INTERVAL_MS: '2000' },
  });
  const seed = Number(process.env.FULL_PATH_SEED ?? Date.now() % 1_000_000);
  const accepted: string[] = [];
  const droppedLines: string[] = [];
  let flows = 0;
  let priceStep = 0;

  /** `count` resting buys far below the market, in batches of BATCH_ORDERS, by `trader`. */
  const burst = async (trader: string, batches: number) => {
    for (let b = 0; b < batches; b++) {
      const orders = Array.from({ length: BATCH_ORDERS }, () => {
        priceStep = (priceStep + 1) % 9_000;
        return {
          symbol: 'BTC-USDT',
          side: 'BUY',
          type: 'LIMIT',
          // 900.00 to 989.99 USDT, 0.006 BTC: a notional of at least 5.4 USDT (the minimum is 5).
          price: (900 + priceStep / 100).toFixed(2),
          quantity: '0.006',
        };
      });
      const res = await cluster.request(trader, 'POST', '/api/v1/orders/batch', { orders });
      expect(res.status).toBe(200);
      const results = res.body.results as { status: string; orderId: string }[];
      expect(results.filter((r) => r.status !== 'ACCEPTED')).toEqual([]);
      accepted.push(...results.map((r) => r.orderId));
    }
  };

  /** A sell that crosses the resting buys; resolves once it is FILLED, within SETTLE_WITHIN_MS. */
  const crossAndSettle = async (what: string) => {
    const res = await cluster.request('dave', 'POST', '/api/v1/orders', {
      symbol: 'BTC-USDT',
      side: 'SELL',
      type: 'LIMIT',
      price: '850.00',
      quantity: '0.006',
    });
    expect(res.status).toBe(201);
    const orderId = res.body.orderId as string;
    accepted.push(orderId);
    const placedAt = Date.now();
    let status = '';
    await waitFor(
      `the crossing sell ${what} to settle`,
      async () => {
        status = (await cluster.request('dave', 'GET', `/api/v1/orders/${orderId}`)).body.status;
        return status === 'FILLED';
      },
      SETTLE_WITHIN_MS,
      async () => `status ${status}\n${cluster.engineLogs()}`,
    );
    return Date.now() - placedAt;
  };

  const flow = () =>
    new TraderFlow(cluster, {
      traders: ['alice', 'bob'],
      workers: 4,
      maxOrders: 20_000,
      pauseMs: 20,
      seed: seed + flows++,
    });

  const endChecks = async () => {
    await cluster.waitQuiescent(90_000);
    await cluster.expectConsistent(accepted);
    await cluster.expectLeaderMatchesReplay((await cluster.waitLeader()).engine);
  };

  const watchForDrops = (engine: ServiceProcess, name: string) =>
    engine.onLine((line) => {
      if (line.includes(DROPPED_MEMBER)) droppedLines.push(`${name}: ${line}`);
    });

  beforeAll(async () => {
    await cluster.setUp(['carol', 'dave']);
    await cluster.startOrderService();
    watchForDrops(await cluster.startEngine('a'), 'a');
    await cluster.waitLeader();
    watchForDrops(await cluster.startEngine('b'), 'b');
  });

  afterAll(async () => {
    console.log(`engine liveness seed ${seed}, accepted ${accepted.length}`);
    await cluster.tearDown();
  });

  it('a crossing pair settles at once after a burst longer than one fetch and a quiet spell', async () => {
    // 5 000 commands of ~300 bytes: more than one fetch (1 MB per partition) can return, so a
    // consumer put back at the start of the log cannot reach the new commands in one fetch.
    await burst('carol', BURST_BATCHES);
    await cluster.waitQuiescent(90_000);
    await sleep(QUIET_MS);
    const settledMs = await crossAndSettle('after the quiet spell');
    console.log(`crossing sell settled ${settledMs} ms after a ${QUIET_MS} ms quiet spell`);
    expect(droppedLines).toEqual([]);
    await endChecks();
  });

  it('a leader frozen past its consumer session is dropped, rejoins at its committed position and matches at once', async () => {
    droppedLines.length = 0;
    const leader = await cluster.waitLeader();
    await sleep(2_000);
    leader.engine.pause();
    await sleep(CONSUMER_SESSION_MS + 3_000);
    leader.engine.resume();
    await waitFor(
      'the coordinator to have dropped the frozen member',
      () => droppedLines.length > 0,
      20_000,
      () => cluster.engineLogs(),
    );
    await crossAndSettle('after the frozen leader rejoined');
    expect((await cluster.leader())?.name).toBe(leader.name);
    await endChecks();
  });

  it('members joining and leaving the leader consumer group, idle and under flow, skip and repeat nothing', async () => {
    const leader = await cluster.waitLeader();
    const rebalances = async () => {
      for (let i = 0; i < 3; i++) await intrude(cluster);
    };
    await rebalances();
    await crossAndSettle('after rebalances while idle');
    const traders = flow();
    traders.start();
    await traders.waitAccepted(50);
    await rebalances();
    await traders.waitAccepted(50);
    await traders.stop();
    accepted.push(...traders.accepted);
    await crossAndSettle('after rebalances under flow');
    expect((await cluster.leader())?.name).toBe(leader.name);
    await endChecks();
  });

  it('soak: bursts, cancel-alls and quiet spells with both engines running leave every order final', async () => {
    droppedLines.length = 0;
    for (let cycle = 0; cycle < 3; cycle++) {
      const traders = flow();
      traders.start();
      await burst('carol', 1);
      await traders.waitAccepted(100);
      await traders.stop();
      accepted.push(...traders.accepted);
      const cancelAll = await cluster.request('carol', 'DELETE', '/api/v1/orders?symbol=BTC-USDT');
      expect(cancelAll.status).toBe(202);
      await burst('carol', 1);
      await sleep(QUIET_MS);
      await crossAndSettle(`after quiet spell ${cycle + 1}`);
    }
    expect(droppedLines).toEqual([]);
    await endChecks();
    const [{ open }] = (await cluster.database.dataSource.query(
      `SELECT count(*)::int AS open FROM orders WHERE status NOT IN
         ('OPEN', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED')`,
    )) as { open: number }[];
    expect(open).toBe(0);
  });

  it('a cold restore from the database reproduces the leader books', async () => {
    const before = (await cluster.waitLeader()).state.symbols;
    for (const [, engine] of cluster.engines) await engine.stop();
    await cluster.startEngine('cold', false);
    const restored = await cluster.waitLeader(60_000);
    expect(restored.name).toBe('cold');
    const hashes = (s: typeof before) =>
      Object.fromEntries(Object.entries(s).map(([k, v]) => [k, [v.stateHash, v.eventSeq]]));
    expect(hashes(restored.state.symbols)).toEqual(hashes(before));
  });
});

/**
 * A member joins the leader's consumer group and leaves it again: two rebalances, in each of
 * which kafkajs rebuilds the leader's positions from the group's committed offsets (it commits
 * none, so: the start of the log). The intruder's client id sorts after the engine's, so the
 * engine's assigner keeps every partition with the engine and the intruder gets none.
 */
async function intrude(cluster: Cluster): Promise<void> {
  const kafka = new Kafka({
    clientId: 'zz-intruder',
    brokers: kafkaBrokersForTests(),
    logLevel: 0,
  });
  const admin = kafka.admin();
  await admin.connect();
  let groupId: string | undefined;
  try {
    await waitFor('the leader consumer group to be stable', async () => {
      const { groups } = await admin.listGroups();
      const prefix = `${cluster.topics.prefix}engine-shard-0.member.`;
      const ids = groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
      // The consuming session's group; those of ended sessions are deleted or empty.
      const stable = (await admin.describeGroups(ids)).groups.filter((g) => g.state === 'Stable');
      groupId = stable.length === 1 ? stable[0].groupId : undefined;
      return groupId !== undefined;
    });
  } finally {
    await admin.disconnect();
  }
  const consumer: Consumer = kafka.consumer({
    groupId: groupId!,
    partitionAssigners: [sameProtocolAs('engine-shard-0-of-1')],
    sessionTimeout: 10_000,
  });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  await consumer.connect();
  await consumer.subscribe({ topic: cluster.topic(TOPICS.orders.logical) });
  await consumer.run({ autoCommit: false, eachBatch: async () => undefined });
  await waitFor('the intruder to join the leader group', () => joined, 30_000);
  await sleep(1_000);
  await consumer.disconnect();
}

/** An assigner speaking the engine's protocol name (a group admits only one protocol). */
function sameProtocolAs(name: string): PartitionAssigner {
  return () => ({
    name,
    version: 1,
    protocol: ({ topics }) => ({
      name,
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: 1,
        topics,
        userData: Buffer.alloc(0),
      }),
    }),
    // Used only if the intruder leads the group; the engine joined first and leads it.
    assign: async () => [],
  });
}
