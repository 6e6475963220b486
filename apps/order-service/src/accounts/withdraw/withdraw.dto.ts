import { TransferDto } from '../shared/transfer.dto';

/** Body of POST /api/v1/admin/withdrawals: debits the user's available balance. */
export class WithdrawDto extends TransferDto {}
