import { formatMinor } from '@app/domain';
import type { DataSource, EntityManager } from 'typeorm';
import { reject, isRejection, type Rejection } from '../../http/domain-rejection';
import { resolveAmount, type AssetAmount } from './asset-amount';
import { findTrader } from './trader';
import type { TransferDto, TransferResponse } from './transfer.dto';
import {
  TRANSFER_REF_TYPE,
  balanceOf,
  findTransfer,
  lockJournal,
  transferJournalId,
  type TransferKind,
} from './transfer-reference';

/** Writes the journal and the balance change; returns a rejection to write nothing. */
export type ApplyTransfer = (
  manager: EntityManager,
  transfer: {
    userId: string;
    amount: AssetAmount;
    journalId: string;
    refType: string;
    refId: string | null;
  },
) => Promise<Rejection | void>;

/**
 * The shared steps of a deposit or withdrawal, in one transaction: check the user and the
 * amount, take the reference's lock, replay or refuse a reused reference, otherwise apply.
 * A rejection rolls back, so nothing is written.
 */
export async function runTransfer(
  dataSource: DataSource,
  kind: TransferKind,
  input: TransferDto,
  apply: ApplyTransfer,
): Promise<TransferResponse | Rejection> {
  const outcome = await dataSource
    .transaction(async (manager) => {
      const user = await findTrader(manager, input.userId);
      if (isRejection(user)) return user;
      const amount = await resolveAmount(manager, input.asset, input.amount);
      if (isRejection(amount)) return amount;
      const journalId = transferJournalId(kind, input.reference);
      let replayed = false;
      if (input.reference !== undefined) {
        await lockJournal(manager, journalId);
        const previous = await findTransfer(manager, journalId);
        if (previous !== null) {
          const same =
            previous.userId === user.id &&
            previous.asset === amount.asset &&
            previous.amountMinor === amount.amountMinor;
          if (!same) {
            return reject(
              'REFERENCE_CONFLICT',
              `reference ${input.reference} was already used for another ${kind.toLowerCase()}`,
              { journalId },
            );
          }
          replayed = true;
        }
      }
      if (!replayed) {
        const refused = await apply(manager, {
          userId: user.id,
          amount,
          journalId,
          refType: TRANSFER_REF_TYPE[kind],
          refId: input.reference ?? null,
        });
        if (refused !== undefined) throw new RolledBack(refused);
      }
      const { available } = await balanceOf(manager, user.id, amount.asset);
      return {
        journalId,
        userId: user.id,
        asset: amount.asset,
        amount: formatMinor(amount.amountMinor, amount.scale),
        reference: input.reference ?? null,
        available: formatMinor(available, amount.scale),
        replayed,
      };
    })
    .catch((error: unknown) => {
      if (error instanceof RolledBack) return error.rejection;
      throw error;
    });
  return outcome;
}

/** Carries a rejection out of a transaction so that the transaction rolls back. */
class RolledBack extends Error {
  override readonly name = 'RolledBack';

  constructor(readonly rejection: Rejection) {
    super(rejection.message);
  }
}
