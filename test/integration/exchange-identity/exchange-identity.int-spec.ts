// Proves the exchange identity check (invariant 9) on real PostgreSQL and Kafka: a fresh pair is
// created and bound and then matches; a database recreated beside the old log, a log recreated
// beside the old database, records on one side only and settlement past the log's end are
// refused; a first boot interrupted between its database and log writes is completed; concurrent
// first boots agree on one identity. Each case has databases and topic prefixes of its own.
import {
  EXCHANGE_IDENTITY_MISMATCH_EXIT_CODE,
  appendLogIdentity,
  checkExchangeIdentity,
  ensureDatabaseIdentity,
  readDatabaseIdentity,
  readLogIdentity,
  type ExchangeIdentityCheck,
  type RefusalReason,
} from '@app/exchange-identity';
import { TOPICS, createIdempotentProducer, defaultTopicSpecs } from '@app/messaging';
import {
  createTestDatabase,
  createTestTopics,
  newRunId,
  type TestDatabase,
  type TestTopics,
} from '@app/testing';

/** The topics the check reads (all others count as never written): fewer to create per case. */
const SPECS = defaultTopicSpecs().filter((spec) =>
  [TOPICS.meta.logical, TOPICS.orders.logical, TOPICS.engineResults.logical].includes(
    spec.logical as never,
  ),
);

describe('exchange identity', () => {
  const databases: TestDatabase[] = [];
  const logs: TestTopics[] = [];

  afterAll(async () => {
    await Promise.all(logs.map((log) => log.cleanup().catch(() => undefined)));
    await Promise.all(databases.map((database) => database.drop()));
  });

  async function newDatabase(label: string): Promise<TestDatabase> {
    const database = await createTestDatabase(label, { seed: true });
    databases.push(database);
    return database;
  }

  async function newLog(label: string): Promise<TestTopics> {
    const log = await createTestTopics(newRunId(label), SPECS);
    logs.push(log);
    return log;
  }

  const check = (database: TestDatabase, log: TestTopics): Promise<ExchangeIdentityCheck> =>
    checkExchangeIdentity({
      db: database.dataSource,
      kafka: log.kafka,
      topicPrefix: log.prefix,
    });

  const metaTopic = (log: TestTopics) => log.names[TOPICS.meta.logical];
  const logIdentity = (log: TestTopics) => readLogIdentity(log.kafka, metaTopic(log), log.prefix);

  async function expectRefused(
    attempt: Promise<unknown>,
    reason: RefusalReason,
    identities: { database: string | null; log: string | null },
  ): Promise<void> {
    const error = await attempt.then(
      () => {
        throw new Error(`expected a refusal (${reason}), the check passed`);
      },
      (e: unknown) => e as Error & Record<string, unknown>,
    );
    expect(error).toMatchObject({
      code: 'EXCHANGE_IDENTITY_MISMATCH',
      exitCode: EXCHANGE_IDENTITY_MISMATCH_EXIT_CODE,
      details: { reason, databaseExchangeId: identities.database, logExchangeId: identities.log },
    });
    for (const identity of [identities.database, identities.log])
      if (identity !== null) expect(error.message).toContain(identity);
    expect(error.message).toContain('npm run up -- --reset');
  }

  async function sendRecord(log: TestTopics, logical: string): Promise<void> {
    const producer = createIdempotentProducer(log.kafka);
    await producer.connect();
    await producer.send({
      topic: log.names[logical],
      messages: [{ key: 'BTC-USDT', value: '{}' }],
    });
    await producer.disconnect();
  }

  it('creates and binds a fresh exchange, then matches it on every later boot', async () => {
    const [database, log] = await Promise.all([newDatabase('idfresh'), newLog('idfresh')]);
    const first = await check(database, log);
    expect(first).toEqual({
      exchangeId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      outcome: 'created',
      metaTopic: metaTopic(log),
    });
    expect(await readDatabaseIdentity(database.dataSource)).toEqual({
      exchangeId: first.exchangeId,
      boundAt: expect.any(Date),
      logTopic: metaTopic(log),
    });
    expect(await logIdentity(log)).toBe(first.exchangeId);

    expect(await check(database, log)).toEqual({ ...first, outcome: 'matched' });
    expect(await check(database, log)).toEqual({ ...first, outcome: 'matched' });
  });

  it('refuses a database recreated beside the old log', async () => {
    const [database, log] = await Promise.all([newDatabase('iddbnew'), newLog('iddbnew')]);
    const { exchangeId } = await check(database, log);
    const recreated = await newDatabase('iddbnew2');
    await expectRefused(check(recreated, log), 'DATABASE_NOT_BOUND_TO_LOG', {
      database: null,
      log: exchangeId,
    });
    // Refusing wrote nothing: the recreated database still has no identity, the log its own.
    expect(await readDatabaseIdentity(recreated.dataSource)).toBeNull();
    expect(await logIdentity(log)).toBe(exchangeId);
    await expectRefused(check(recreated, log), 'DATABASE_NOT_BOUND_TO_LOG', {
      database: null,
      log: exchangeId,
    });
  });

  it('refuses a log recreated (a new topic prefix) beside the old database', async () => {
    const [database, log] = await Promise.all([newDatabase('idlognew'), newLog('idlognew')]);
    const { exchangeId } = await check(database, log);
    const recreated = await newLog('idlognew2');
    await expectRefused(check(database, recreated), 'LOG_HAS_NO_IDENTITY', {
      database: exchangeId,
      log: null,
    });
    expect(await logIdentity(recreated)).toBeNull();
  });

  it('refuses a database and a log bound to two different exchanges', async () => {
    const [a, logA, b, logB] = await Promise.all([
      newDatabase('iddiffa'),
      newLog('iddiffa'),
      newDatabase('iddiffb'),
      newLog('iddiffb'),
    ]);
    const [{ exchangeId: idA }, { exchangeId: idB }] = await Promise.all([
      check(a, logA),
      check(b, logB),
    ]);
    await expectRefused(check(a, logB), 'IDENTITIES_DIFFER', { database: idA, log: idB });
  });

  it('completes a first boot that crashed after writing the database and before the log', async () => {
    const [database, log] = await Promise.all([newDatabase('idcrash1'), newLog('idcrash1')]);
    const written = await ensureDatabaseIdentity(database.dataSource);
    expect(written.boundAt).toBeNull();
    expect(await check(database, log)).toMatchObject({
      exchangeId: written.exchangeId,
      outcome: 'created',
    });
    expect(await logIdentity(log)).toBe(written.exchangeId);
    expect((await readDatabaseIdentity(database.dataSource))?.boundAt).toEqual(expect.any(Date));
  });

  it('completes a first boot that crashed after writing the log and before marking the database bound', async () => {
    const [database, log] = await Promise.all([newDatabase('idcrash2'), newLog('idcrash2')]);
    const written = await ensureDatabaseIdentity(database.dataSource);
    await appendLogIdentity(log.kafka, metaTopic(log), {
      exchangeId: written.exchangeId,
      database: database.name,
      writtenAt: new Date().toISOString(),
    });
    expect(await check(database, log)).toMatchObject({
      exchangeId: written.exchangeId,
      outcome: 'completed',
    });
    expect(await check(database, log)).toMatchObject({
      exchangeId: written.exchangeId,
      outcome: 'matched',
    });
  });

  it('gives concurrent first boots on one pair one identity', async () => {
    const [database, log] = await Promise.all([newDatabase('idrace'), newLog('idrace')]);
    const checks = await Promise.all(Array.from({ length: 4 }, () => check(database, log)));
    const ids = new Set(checks.map((c) => c.exchangeId));
    expect(ids.size).toBe(1);
    const [exchangeId] = ids;
    expect(await logIdentity(log)).toBe(exchangeId);
    expect((await readDatabaseIdentity(database.dataSource))?.exchangeId).toBe(exchangeId);
    const [{ rows }] = await database.dataSource.query(
      `SELECT count(*)::int AS rows FROM exchange_identity`,
    );
    expect(rows).toBe(1);
  });

  it('binds a log raced for by two fresh databases to exactly one of them', async () => {
    const [a, b, log] = await Promise.all([
      newDatabase('idtwodba'),
      newDatabase('idtwodbb'),
      newLog('idtwodb'),
    ]);
    const outcomes = await Promise.allSettled([check(a, log), check(b, log)]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winner = (won[0] as PromiseFulfilledResult<ExchangeIdentityCheck>).value.exchangeId;
    expect(await logIdentity(log)).toBe(winner);
    expect(lost[0].reason).toMatchObject({
      code: 'EXCHANGE_IDENTITY_MISMATCH',
      details: { reason: 'DATABASE_NOT_BOUND_TO_LOG', logExchangeId: winner },
    });
    // The loser's database stays unbound and keeps refusing that log.
    const loser = outcomes[0].status === 'rejected' ? a : b;
    const loserIdentity = await readDatabaseIdentity(loser.dataSource);
    expect(loserIdentity?.boundAt ?? null).toBeNull();
    await expectRefused(check(loser, log), 'DATABASE_NOT_BOUND_TO_LOG', {
      database: loserIdentity?.exchangeId ?? null,
      log: winner,
    });
  });

  it('refuses a log with records but no identity beside a database without orders', async () => {
    const [database, log] = await Promise.all([newDatabase('idlogrec'), newLog('idlogrec')]);
    await sendRecord(log, TOPICS.engineResults.logical);
    await expectRefused(check(database, log), 'LOG_HAS_RECORDS', { database: null, log: null });
    expect(await logIdentity(log)).toBeNull();
    expect(await readDatabaseIdentity(database.dataSource)).toBeNull();
  });

  it('refuses a database with orders beside a log that never held a record', async () => {
    const [database, log] = await Promise.all([newDatabase('iddbrec'), newLog('iddbrec')]);
    await database.dataSource.query(
      `INSERT INTO orders (user_id, symbol, side, type, time_in_force, price_ticks, qty_lots,
                           lock_asset, locked_amount)
       SELECT id, 'BTC-USDT', 'BUY', 'LIMIT', 'GTC', 100, 1, 'USDT', 0 FROM users WHERE name = 'alice'`,
    );
    await expectRefused(check(database, log), 'DATABASE_HAS_RECORDS', {
      database: null,
      log: null,
    });
  });

  it('adopts an exchange from before identities when both sides hold records', async () => {
    const [database, log] = await Promise.all([newDatabase('idadopt'), newLog('idadopt')]);
    await sendRecord(log, TOPICS.orders.logical);
    await database.dataSource.query(
      `INSERT INTO settlement_checkpoints (topic, partition, last_offset) VALUES ($1, 0, -1)`,
      [log.names[TOPICS.engineResults.logical]],
    );
    await database.dataSource.query(
      `INSERT INTO orders (user_id, symbol, side, type, time_in_force, price_ticks, qty_lots,
                           lock_asset, locked_amount)
       SELECT id, 'BTC-USDT', 'BUY', 'LIMIT', 'GTC', 100, 1, 'USDT', 0 FROM users WHERE name = 'alice'`,
    );
    const adopted = await check(database, log);
    expect(adopted.outcome).toBe('adopted');
    expect(await check(database, log)).toEqual({ ...adopted, outcome: 'matched' });
  });

  it('refuses a bound pair whose settlement is past the end of the log', async () => {
    const [database, log] = await Promise.all([newDatabase('idbehind'), newLog('idbehind')]);
    const { exchangeId } = await check(database, log);
    const results = log.names[TOPICS.engineResults.logical];
    await database.dataSource.query(
      `INSERT INTO settlement_checkpoints (topic, partition, last_offset) VALUES ($1, 2, 40)`,
      [results],
    );
    const attempt = check(database, log);
    await expectRefused(attempt, 'LOG_BEHIND_DATABASE', { database: exchangeId, log: exchangeId });
    await expect(attempt).rejects.toThrow(
      `${results} partition 2: settled to offset 40, log ends at 0`,
    );
  });

  it('says what is missing when the metadata topic was never created', async () => {
    const database = await newDatabase('idnotopic');
    const log = await createTestTopics(newRunId('idnotopic'), [
      { logical: TOPICS.orders.logical, partitions: 1 },
    ]);
    logs.push(log);
    await expect(check(database, log)).rejects.toMatchObject({
      code: 'META_TOPIC_MISSING',
      message: expect.stringContaining('npm run topics'),
    });
  });
});
