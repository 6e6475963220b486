import { TransferDto } from '../shared/transfer.dto';

/** Body of POST /api/v1/admin/deposits: credits the user's available balance. */
export class DepositDto extends TransferDto {}
