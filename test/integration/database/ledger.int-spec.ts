// Proves the deferred double-entry trigger: a journal whose entries do not sum to zero per asset
// cannot commit, however its rows are spread over statements, while balanced journals commit.
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import type { EntityManager } from 'typeorm';

describe('ledger double entry', () => {
  let db: TestDatabase;
  let aliceId: string;
  let bobId: string;

  beforeAll(async () => {
    db = await createTestDatabase('ledger', { seed: true });
    const users: { id: string; name: string }[] = await db.dataSource.query(
      `SELECT id, name FROM users WHERE name IN ('alice', 'bob')`,
    );
    aliceId = users.find((u) => u.name === 'alice')!.id;
    bobId = users.find((u) => u.name === 'bob')!.id;
  });

  afterAll(async () => {
    await db?.drop();
  });

  function entry(
    manager: EntityManager,
    journalId: string,
    userId: string,
    asset: string,
    amount: string,
  ) {
    return manager.query(
      `INSERT INTO ledger_entries (journal_id, user_id, account, asset, amount, reason)
       VALUES ($1, $2, 'AVAILABLE', $3, $4, 'ADJUSTMENT')`,
      [journalId, userId, asset, amount],
    );
  }

  async function entryCount(journalId: string): Promise<number> {
    const [{ count }] = await db.dataSource.query(
      'SELECT count(*)::int AS count FROM ledger_entries WHERE journal_id = $1',
      [journalId],
    );
    return count;
  }

  it('commits a balanced journal written over several statements', async () => {
    const journalId = randomUUID();
    await db.dataSource.transaction(async (m) => {
      await entry(m, journalId, aliceId, 'USDT', '-500');
      await entry(m, journalId, bobId, 'USDT', '300');
      await entry(m, journalId, bobId, 'USDT', '200');
    });
    expect(await entryCount(journalId)).toBe(3);
  });

  it('rejects an unbalanced journal at commit', async () => {
    const journalId = randomUUID();
    await expect(
      db.dataSource.transaction(async (m) => {
        await entry(m, journalId, aliceId, 'USDT', '-500');
        await entry(m, journalId, bobId, 'USDT', '499');
      }),
    ).rejects.toMatchObject({ code: '23514', constraint: 'ledger_journal_balanced' });
    expect(await entryCount(journalId)).toBe(0);
  });

  it('checks every asset of a journal, not the total', async () => {
    const journalId = randomUUID();
    await expect(
      db.dataSource.transaction(async (m) => {
        await entry(m, journalId, aliceId, 'USDT', '-500');
        await entry(m, journalId, bobId, 'BTC', '500');
      }),
    ).rejects.toMatchObject({ constraint: 'ledger_journal_balanced' });
    expect(await entryCount(journalId)).toBe(0);
  });

  it('rejects a journal unbalanced after an early check passed', async () => {
    const journalId = randomUUID();
    await expect(
      db.dataSource.transaction(async (m) => {
        await entry(m, journalId, aliceId, 'USDT', '-500');
        await entry(m, journalId, bobId, 'USDT', '500');
        // Fires the check now; it passes and remembers the journal.
        await m.query('SET CONSTRAINTS ledger_journal_balanced IMMEDIATE');
        await m.query('SET CONSTRAINTS ledger_journal_balanced DEFERRED');
        await entry(m, journalId, bobId, 'USDT', '1');
      }),
    ).rejects.toMatchObject({ constraint: 'ledger_journal_balanced' });
    expect(await entryCount(journalId)).toBe(0);
  });

  it('checks interleaved journals independently', async () => {
    const good = randomUUID();
    const bad = randomUUID();
    await expect(
      db.dataSource.transaction(async (m) => {
        await entry(m, good, aliceId, 'ETH', '-7');
        await entry(m, bad, aliceId, 'ETH', '-7');
        await entry(m, good, bobId, 'ETH', '7');
        await entry(m, bad, bobId, 'ETH', '6');
      }),
    ).rejects.toMatchObject({ constraint: 'ledger_journal_balanced' });
    expect(await entryCount(good)).toBe(0);
  });
});
