// Proves no accepted order is lost when order-service dies mid-load: orders are fired at a real
// order-service process, which is killed with SIGKILL and restarted; every 201 must be in the
// database exactly once and its place command must reach Kafka (the relay runs in the process).
import { signInternalIdentity } from '@app/auth';
import { MESSAGE_HEADERS } from '@app/messaging';
import {
  createTestDatabase,
  createTestTopics,
  expectAuditClean,
  newRunId,
  startService,
  type ServiceProcess,
  type TestDatabase,
  type TestTopics,
  sleep,
  waitFor,
} from '@app/testing';

jest.setTimeout(120_000);

const SECRET = 'e2e-order-entry-internal-secret-0123456789';
/** Requests in flight at once: enough to be mid-transaction when the kill lands, bounded for CI. */
const LOAD_CONCURRENCY = 8;
/** Orders accepted before the kill: the load is under way when it lands. */
const ACCEPTED_BEFORE_KILL = 20;
/** Least time the load runs after the restart (and until the restarted process accepted one). */
const LOAD_AFTER_RESTART_MS = 2_000;
/** Longest wait for either: a loaded machine is slow, not broken. */
const LOAD_WAIT_MS = 30_000;
/** Longest wait for the relay to publish every accepted command. */
const KAFKA_WAIT_MS = 45_000;

describe('order entry survives kill -9 of order-service mid-load', () => {
  const runId = newRunId('oerst');
  let database: TestDatabase;
  let topics: TestTopics;
  const processes: ServiceProcess[] = [];
  let service: ServiceProcess;

  beforeAll(async () => {
    database = await createTestDatabase(runId, { seed: true });
    topics = await createTestTopics(runId);
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill9()));
    await topics?.cleanup();
    await database?.drop();
  });

  async function start(port?: number): Promise<ServiceProcess> {
    const started = await startService({
      service: 'order-service',
      port,
      env: {
        DATABASE_URL: database.url,
        KAFKA_TOPIC_PREFIX: topics.prefix,
        INTERNAL_AUTH_SECRET: SECRET,
        OUTBOX_RELAY_ENABLED: 'true',
      },
    });
    processes.push(started);
    return started;
  }

  it('keeps every order that got a 201, once in the database and on Kafka', async () => {
    const [{ id: userId }] = await database.dataSource.query(
      `SELECT id::text AS id FROM users WHERE name = 'alice'`,
    );
    service = await start();
    const port = service.port;
    const accepted: string[] = [];
    let failed = 0;
    let halted = false;

    async function worker(): Promise<void> {
      while (!halted) {
        if (!service.running) {
          await sleep(20);
          continue;
        }
        const path = '/api/v1/orders';
        try {
          const response = await fetch(`http://127.0.0.1:${port}${path}`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              ...signInternalIdentity({
                secret: SECRET,
                userId,
                method: 'POST',
                path,
                nowMs: Date.now(),
              }),
            },
            body: JSON.stringify({
              symbol: 'BTC-USDT',
              side: 'BUY',
              type: 'LIMIT',
              price: '100.00',
              quantity: '0.1',
            }),
            signal: AbortSignal.timeout(5_000),
          });
          const body = (await response.json()) as { orderId?: string };
          if (response.status === 201 && body.orderId) accepted.push(body.orderId);
          else failed += 1;
        } catch {
          failed += 1; // the connection died with the process: the order may or may not exist
        }
      }
    }

    const workers = Array.from({ length: LOAD_CONCURRENCY }, () => worker());
    const state = () => `${accepted.length} accepted, ${failed} failed or cut`;
    let beforeKill = 0;
    let atKill = 0;
    try {
      // Kill mid-load, once the service has shown it is taking orders.
      await waitFor(
        `more than ${ACCEPTED_BEFORE_KILL} accepted orders before the kill`,
        () => accepted.length > ACCEPTED_BEFORE_KILL,
        LOAD_WAIT_MS,
        state,
      );
      beforeKill = accepted.length;
      await service.kill9();
      atKill = accepted.length;
      service = await start(port);
      const restartedAt = Date.now();
      await waitFor(
        'the restarted service to accept orders',
        () => accepted.length > atKill && Date.now() - restartedAt >= LOAD_AFTER_RESTART_MS,
        LOAD_AFTER_RESTART_MS + LOAD_WAIT_MS,
        () => `${state()}, ${atKill} at the kill`,
      );
    } finally {
      halted = true;
      await Promise.all(workers);
    }
    expect(beforeKill).toBeGreaterThan(ACCEPTED_BEFORE_KILL);
    expect(accepted.length).toBeGreaterThan(atKill);
    expect(new Set(accepted).size).toBe(accepted.length);

    const [{ n }] = await database.dataSource.query(
      `SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[])`,
      [accepted],
    );
    expect(n).toBe(accepted.length);
    // Whatever the kill cut, every lock, ledger entry and balance still agrees.
    await expectAuditClean(database.dataSource);

    const commandIds = new Set<string>();
    const consumer = topics.kafka.consumer({ groupId: `${runId}-check` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: topics.names['exchange.orders'], fromBeginning: true });
      const missing = () => accepted.filter((id) => !commandIds.has(id));
      const done = new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            const header = message.headers?.[MESSAGE_HEADERS.commandId];
            if (header !== undefined) commandIds.add(String(header));
            if (missing().length === 0) resolve();
          },
        });
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        done,
        new Promise((resolve) => (timer = setTimeout(resolve, KAFKA_WAIT_MS))),
      ]);
      clearTimeout(timer);
      expect(missing()).toEqual([]);
    } finally {
      await consumer.disconnect();
    }
    // Reported for the run log: how many requests died with the process.
    process.stdout.write(
      `order-entry restart: ${accepted.length} accepted, ${failed} failed or cut, ${commandIds.size} distinct commands on Kafka\n`,
    );
  });
});
