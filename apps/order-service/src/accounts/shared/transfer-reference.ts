import { createHash, randomUUID } from 'node:crypto';
import { toBigInt } from '@app/database';
import type { EntityManager } from 'typeorm';

// Operator transfers (deposits, withdrawals) may carry a `reference`, the operator's own id of
// the transfer (a bank or chain transaction id). It makes the request idempotent: the journal id
// is derived from the kind and the reference, so the same reference always names the same
// journal. Inside the transaction an advisory lock on that journal id serialises concurrent
// requests with the same reference, and a second request finds the journal the first wrote.

export type TransferKind = 'DEPOSIT' | 'WITHDRAWAL';

/** ledger_entries.ref_type of operator transfers; ref_id holds the reference. */
export const TRANSFER_REF_TYPE: Readonly<Record<TransferKind, string>> = {
  DEPOSIT: 'ADMIN_DEPOSIT',
  WITHDRAWAL: 'ADMIN_WITHDRAWAL',
};

/** The journal id of a transfer: derived from its reference (UUID v5 layout), else random. */
export function transferJournalId(kind: TransferKind, reference: string | undefined): string {
  if (reference === undefined) return randomUUID();
  const hex = createHash('sha256').update(`exchange:transfer:${kind}:${reference}`).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Holds, until the transaction ends, the lock that serialises transfers with this journal id. */
export async function lockJournal(manager: EntityManager, journalId: string): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [journalId]);
}

/** A transfer already recorded under a journal id, read from its EXTERNAL entry. */
export interface RecordedTransfer {
  readonly userId: string;
  readonly asset: string;
  /** Minor units, positive. */
  readonly amountMinor: bigint;
  readonly kind: TransferKind;
}

export async function findTransfer(
  manager: EntityManager,
  journalId: string,
): Promise<RecordedTransfer | null> {
  const rows = (await manager.query(
    `SELECT user_id, asset, amount::text AS amount, reason FROM ledger_entries
      WHERE journal_id = $1 AND account = 'EXTERNAL' LIMIT 1`,
    [journalId],
  )) as { user_id: string; asset: string; amount: string; reason: TransferKind }[];
  if (rows.length === 0) return null;
  const amount = toBigInt(rows[0].amount);
  return {
    userId: rows[0].user_id,
    asset: rows[0].asset,
    amountMinor: amount < 0n ? -amount : amount,
    kind: rows[0].reason,
  };
}

/** Current available and locked minor units of one balance (zero when there is no row). */
export async function balanceOf(
  manager: EntityManager,
  userId: string,
  asset: string,
): Promise<{ available: bigint; locked: bigint }> {
  const rows = (await manager.query(
    'SELECT available::text AS available, locked::text AS locked FROM balances WHERE user_id = $1 AND asset = $2',
    [userId, asset],
  )) as { available: string; locked: string }[];
  if (rows.length === 0) return { available: 0n, locked: 0n };
  return { available: toBigInt(rows[0].available), locked: toBigInt(rows[0].locked) };
}
