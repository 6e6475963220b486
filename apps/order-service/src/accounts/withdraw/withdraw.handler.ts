import { Injectable } from '@nestjs/common';
import { formatMinor } from '@app/domain';
import { recordWithdrawal } from '@app/database';
import { DataSource } from 'typeorm';
import { reject, type Rejection } from '../../http/domain-rejection';
import { runTransfer } from '../shared/run-transfer';
import { balanceOf } from '../shared/transfer-reference';
import type { TransferResponse } from '../shared/transfer.dto';
import type { WithdrawDto } from './withdraw.dto';

/**
 * Pays out from a trader's available balance (never from locked funds): journal AVAILABLE -x,
 * EXTERNAL +x (reason WITHDRAWAL). Beyond the available balance it is a 422
 * INSUFFICIENT_FUNDS and nothing is written.
 */
@Injectable()
export class WithdrawHandler {
  constructor(private readonly dataSource: DataSource) {}

  execute(input: WithdrawDto): Promise<TransferResponse | Rejection> {
    return runTransfer(this.dataSource, 'WITHDRAWAL', input, async (manager, transfer) => {
      const { asset, amountMinor, scale } = transfer.amount;
      const done = await recordWithdrawal(manager, {
        userId: transfer.userId,
        asset,
        amount: amountMinor,
        journalId: transfer.journalId,
        refType: transfer.refType,
        refId: transfer.refId,
      });
      if (done) return;
      const { available } = await balanceOf(manager, transfer.userId, asset);
      return reject(
        'INSUFFICIENT_FUNDS',
        `available ${asset} is ${formatMinor(available, scale)}, the withdrawal needs ${formatMinor(amountMinor, scale)}`,
        {
          asset,
          available: formatMinor(available, scale),
          required: formatMinor(amountMinor, scale),
        },
      );
    });
  }
}
