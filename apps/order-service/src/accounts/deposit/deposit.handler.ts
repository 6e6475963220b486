import { Injectable } from '@nestjs/common';
import { recordDeposit } from '@app/database';
import { DataSource } from 'typeorm';
import type { Rejection } from '../../http/domain-rejection';
import { runTransfer } from '../shared/run-transfer';
import type { TransferResponse } from '../shared/transfer.dto';
import type { DepositDto } from './deposit.dto';

/**
 * Credits a trader's available balance from outside the exchange: journal EXTERNAL -x,
 * AVAILABLE +x (reason DEPOSIT), through the same `recordDeposit` the seed uses.
 */
@Injectable()
export class DepositHandler {
  constructor(private readonly dataSource: DataSource) {}

  execute(input: DepositDto): Promise<TransferResponse | Rejection> {
    return runTransfer(this.dataSource, 'DEPOSIT', input, async (manager, transfer) => {
      await recordDeposit(manager, {
        userId: transfer.userId,
        asset: transfer.amount.asset,
        amount: transfer.amount.amountMinor,
        journalId: transfer.journalId,
        refType: transfer.refType,
        refId: transfer.refId ?? undefined,
      });
    });
  }
}
