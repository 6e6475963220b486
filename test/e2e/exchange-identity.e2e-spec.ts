// Proves invariant 9 on real processes: order-service started on a fresh database and log binds
// them and runs; started on a database recreated beside that log it exits with the identity
// mismatch code and one fatal line naming the log's identity and the fix, without writing
// anything; the matching engine started on the old database beside a recreated log does the same.
import { EXCHANGE_IDENTITY_MISMATCH_EXIT_CODE, readDatabaseIdentity } from '@app/exchange-identity';
import {
  createTestDatabase,
  createTestTopics,
  kafkaBrokersForTests,
  newRunId,
  startService,
  type ServiceProcess,
  type TestDatabase,
  type TestTopics,
} from '@app/testing';

const ORDER_SERVICE_SECRETS = {
  INTERNAL_AUTH_SECRET: 'e2e-identity-internal-secret-0123456789abcdef',
  ADMIN_API_TOKEN: 'e2e-identity-admin-token-0123456789',
};

describe('exchange identity at boot', () => {
  const runId = newRunId('identity');
  const databases: TestDatabase[] = [];
  const logs: TestTopics[] = [];
  const started: ServiceProcess[] = [];
  let database: TestDatabase;
  let log: TestTopics;
  let exchangeId: string;

  beforeAll(async () => {
    [database, log] = await Promise.all([
      createTestDatabase(runId, { seed: true }),
      createTestTopics(runId),
    ]);
    databases.push(database);
    logs.push(log);
  });

  afterAll(async () => {
    await Promise.all(started.map((service) => service.kill9()));
    await Promise.all(logs.map((topics) => topics.cleanup().catch(() => undefined)));
    await Promise.all(databases.map((db) => db.drop()));
  });

  const envOf = (db: TestDatabase, topics: TestTopics) => ({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafkaBrokersForTests().join(','),
    KAFKA_TOPIC_PREFIX: topics.prefix,
    ...ORDER_SERVICE_SECRETS,
  });

  async function start(
    service: 'order-service' | 'matching-engine',
    env: Record<string, string>,
    waitReady: boolean,
  ): Promise<ServiceProcess> {
    const process = await startService({ service, env, waitReady });
    started.push(process);
    return process;
  }

  /** The one fatal line of a refused process, after it exited with the mismatch code. */
  async function expectRefused(process: ServiceProcess): Promise<Record<string, unknown>> {
    const exit = await process.waitExit();
    expect({
      exit,
      logs: exit.code === EXCHANGE_IDENTITY_MISMATCH_EXIT_CODE ? '' : process.logs(),
    }).toEqual({ exit: { code: EXCHANGE_IDENTITY_MISMATCH_EXIT_CODE, signal: null }, logs: '' });
    const fatal = process.logRecords().filter((record) => record.level === 'fatal');
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({ code: 'EXCHANGE_IDENTITY_MISMATCH' });
    expect(String(fatal[0].msg)).toContain('npm run up -- --reset');
    expect(String(fatal[0].msg)).toContain('never mix them');
    // Refused before the app existed: it never listened.
    expect(process.logRecords().some((record) => /listening/.test(String(record.msg)))).toBe(false);
    return fatal[0];
  }

  it('binds a fresh database and log at the first boot and runs on them', async () => {
    const service = await start('order-service', envOf(database, log), true);
    const checked = service
      .logRecords()
      .find((record) => String(record.msg).startsWith('exchange identity checked'));
    expect(checked).toMatchObject({ outcome: 'created' });
    exchangeId = String(checked?.exchangeId);
    expect((await readDatabaseIdentity(database.dataSource))?.exchangeId).toBe(exchangeId);
    expect((await service.get('/health/ready')).status).toBe(200);
  });

  it('refuses order-service on a database recreated beside the old log', async () => {
    const recreated = await createTestDatabase(`${runId}b`, { seed: true });
    databases.push(recreated);
    const service = await start('order-service', envOf(recreated, log), false);
    const fatal = await expectRefused(service);
    expect(fatal).toMatchObject({
      reason: 'DATABASE_NOT_BOUND_TO_LOG',
      databaseExchangeId: null,
      logExchangeId: exchangeId,
    });
    expect(String(fatal.msg)).toContain(`log: exchange ${exchangeId}`);
    expect(String(fatal.msg)).toContain('database: no exchange identity');
    // Nothing was written on either side.
    expect(await readDatabaseIdentity(recreated.dataSource)).toBeNull();
  });

  it('refuses the matching engine on the old database beside a recreated log', async () => {
    const recreated = await createTestTopics(newRunId('identity2'));
    logs.push(recreated);
    const engine = await start(
      'matching-engine',
      { ...envOf(database, recreated), ENGINE_INSTANCE_ID: `${runId}-engine` },
      false,
    );
    const fatal = await expectRefused(engine);
    expect(fatal).toMatchObject({
      reason: 'LOG_HAS_NO_IDENTITY',
      databaseExchangeId: exchangeId,
      logExchangeId: null,
    });
    expect(String(fatal.msg)).toContain(`database: exchange ${exchangeId}`);
    // The engine never took part in the election.
    const leases = await database.dataSource.query(`SELECT name FROM leases`);
    expect(leases).toEqual([]);
  });

  it('runs the matching engine on the matching pair', async () => {
    const engine = await start(
      'matching-engine',
      { ...envOf(database, log), ENGINE_INSTANCE_ID: `${runId}-engine-ok` },
      true,
    );
    expect(
      engine.logRecords().find((r) => String(r.msg).startsWith('exchange identity checked')),
    ).toMatchObject({ exchangeId, outcome: 'matched' });
  });
});
