import type { EntityManager } from 'typeorm';

/** A debit of a user's available balance to outside the exchange. */
export interface WithdrawalInput {
  readonly userId: string;
  readonly asset: string;
  /** Minor units of `asset`; must be positive. */
  readonly amount: bigint;
  readonly journalId: string;
  readonly refType?: string;
  readonly refId?: string | null;
}

/**
 * The mirror of `recordDeposit` (deposit.ts): debits the available balance with one
 * conditional UPDATE that cannot take it below zero, then writes the balanced journal
 * AVAILABLE -amount, EXTERNAL +amount (reason WITHDRAWAL). Returns false, having written
 * nothing, when the available balance does not cover the amount. Must run in a transaction.
 */
export async function recordWithdrawal(
  manager: EntityManager,
  input: WithdrawalInput,
): Promise<boolean> {
  if (input.amount <= 0n) {
    throw new RangeError(`withdrawal amount must be positive, got ${input.amount}`);
  }
  if (manager.queryRunner?.isTransactionActive !== true) {
    throw new Error('recordWithdrawal must run inside a transaction');
  }
  const amount = input.amount.toString();
  const debited = (await manager.query(
    `UPDATE balances SET available = available - $3::numeric, updated_at = now()
      WHERE user_id = $1 AND asset = $2 AND available >= $3::numeric
      RETURNING user_id`,
    [input.userId, input.asset, amount],
  )) as [unknown[], number];
  if (debited[1] === 0) return false;
  await manager.query(
    `INSERT INTO ledger_entries (journal_id, user_id, account, asset, amount, reason, ref_type, ref_id)
     VALUES ($1, $2, 'AVAILABLE', $3, -$4::numeric, 'WITHDRAWAL', $5, $6),
            ($1, $2, 'EXTERNAL', $3, $4::numeric, 'WITHDRAWAL', $5, $6)`,
    [
      input.journalId,
      input.userId,
      input.asset,
      amount,
      input.refType ?? null,
      input.refId ?? null,
    ],
  );
  return true;
}
