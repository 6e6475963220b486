import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';

/** A credit from outside the exchange to a user's available balance. */
export interface DepositInput {
  userId: string;
  asset: string;
  /** Minor units of `asset`; must be positive. */
  amount: bigint;
  /** Default a random UUID. A fixed id makes the caller's retry check (`journalExists`) possible. */
  journalId?: string;
  refType?: string;
  refId?: string;
}

/**
 * Records a deposit as one balanced journal (EXTERNAL -amount, AVAILABLE +amount) and adds the
 * amount to the user's available balance, in the caller's transaction if `manager` has one and
 * in a new one otherwise. Returns the journal id.
 */
export async function recordDeposit(manager: EntityManager, input: DepositInput): Promise<string> {
  if (input.amount <= 0n)
    throw new RangeError(`deposit amount must be positive, got ${input.amount}`);
  if (manager.queryRunner?.isTransactionActive !== true) {
    return manager.transaction((transactional) => recordDeposit(transactional, input));
  }
  const journalId = input.journalId ?? randomUUID();
  const amount = input.amount.toString();
  await manager.query(
    `INSERT INTO ledger_entries (journal_id, user_id, account, asset, amount, reason, ref_type, ref_id)
     VALUES ($1, $2, 'EXTERNAL', $3, -$4::numeric, 'DEPOSIT', $5, $6),
            ($1, $2, 'AVAILABLE', $3, $4::numeric, 'DEPOSIT', $5, $6)`,
    [journalId, input.userId, input.asset, amount, input.refType ?? null, input.refId ?? null],
  );
  await manager.query(
    `INSERT INTO balances (user_id, asset, available) VALUES ($1, $2, $3::numeric)
     ON CONFLICT (user_id, asset)
     DO UPDATE SET available = balances.available + EXCLUDED.available, updated_at = now()`,
    [input.userId, input.asset, amount],
  );
  return journalId;
}

/** Whether any ledger entry carries `journalId`. */
export async function journalExists(manager: EntityManager, journalId: string): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    'SELECT 1 FROM ledger_entries WHERE journal_id = $1 LIMIT 1',
    [journalId],
  );
  return rows.length > 0;
}
