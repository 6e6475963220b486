// Proves the lease against real PostgreSQL: one leader at a time, fencing tokens that only grow,
// takeover after expiry measured by the database clock, and a frozen leader that never overlaps
// with its successor (it counts itself out before the database lets anyone else in).
import { Pool } from 'pg';
import { LeaderElector, type SqlQuery } from '@app/leader-election';
import { createTestDatabase, newRunId, type TestDatabase } from '@app/testing';

// No property here depends on how short the TTL is, only on the deadline arithmetic, so the TTL
// leaves room for a loaded machine: only an event-loop or database stall longer than
// TTL_MS - RENEW_MS (2.5 s) makes a leader miss its deadline, where 1 s with 250 ms renewals let
// one stall of ~750 ms step it down and leave the lease without a leader for a moment.
const TTL_MS = 3_000;
const RENEW_MS = 500;

describe('LeaderElector on PostgreSQL', () => {
  let database: TestDatabase;
  let pool: Pool;
  let query: SqlQuery;
  const electors: LeaderElector[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(newRunId('lease'));
    pool = new Pool({ connectionString: database.url, max: 4 });
    query = async (sql, params) => (await pool.query(sql, params)).rows;
  });

  afterEach(async () => {
    await Promise.all(electors.splice(0).map((elector) => elector.stop().catch(() => undefined)));
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const elector = (leaseName: string, holderId: string, sql: SqlQuery = query) => {
    const created = new LeaderElector(sql, {
      leaseName,
      holderId,
      ttlMs: TTL_MS,
      renewIntervalMs: RENEW_MS,
    });
    electors.push(created);
    return created;
  };

  const until = async (what: string, predicate: () => boolean, timeoutMs = 5_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('elects exactly one of several candidates and keeps it while it renews', async () => {
    const candidates = ['a', 'b', 'c'].map((id) => elector('one-leader', id));
    await Promise.all(candidates.map((candidate) => candidate.start()));
    // Watched for two TTLs, so the leader keeps the lease only by renewing it.
    for (let i = 0; i < Math.ceil((TTL_MS * 2) / 150); i += 1) {
      expect(candidates.filter((candidate) => candidate.isLeader())).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    const [row] = await query(
      `SELECT holder, token::text AS token FROM leases WHERE name = 'one-leader'`,
      [],
    );
    const leader = candidates.find((candidate) => candidate.isLeader());
    expect(leader?.current().token).toBe(BigInt(String(row.token)));
  });

  it('hands over on release with a strictly greater token', async () => {
    const first = elector('handover', 'first');
    await first.start();
    const firstToken = first.current().token;
    expect(firstToken).toBeDefined();
    const second = elector('handover', 'second');
    await second.start();
    expect(second.isLeader()).toBe(false);
    await first.stop();
    await until('the second candidate to lead', () => second.isLeader());
    expect(second.current().token).toBeGreaterThan(firstToken ?? 0n);
  });

  it('a leader cut off from the database steps down before anyone else can take over', async () => {
    let cutOff = false;
    const flaky: SqlQuery = async (sql, params) => {
      // A stalled connection: the query neither answers nor fails until long after the TTL.
      if (cutOff) await new Promise((resolve) => setTimeout(resolve, TTL_MS * 3));
      return query(sql, params);
    };
    const stalled = elector('partition', 'stalled', flaky);
    await stalled.start();
    expect(stalled.isLeader()).toBe(true);
    const standby = elector('partition', 'standby');
    await standby.start();

    const overlaps: number[] = [];
    const sampler = setInterval(() => {
      if (stalled.isLeader() && standby.isLeader()) overlaps.push(Date.now());
    }, 5);
    cutOff = true;
    await until('the standby to take over', () => standby.isLeader(), TTL_MS * 5);
    clearInterval(sampler);
    expect(stalled.isLeader()).toBe(false);
    expect(overlaps).toEqual([]);
    const [row] = await query(`SELECT holder FROM leases WHERE name = 'partition'`, []);
    expect(row.holder).toBe('standby');
  });

  it('rejects a renewal from a holder whose token was superseded', async () => {
    const old = elector('superseded', 'old');
    await old.start();
    // Someone (an operator, or a successor after expiry) moved the lease on.
    await query(
      `UPDATE leases SET holder = 'new', token = token + 1 WHERE name = 'superseded'`,
      [],
    );
    // It notices at its next renewal (refused) or at the latest when its deadline passes.
    await until('the old holder to notice', () => !old.isLeader(), TTL_MS * 3);
  });
});
