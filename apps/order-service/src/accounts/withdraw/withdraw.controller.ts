import { Body, Controller, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminRoute, ApiErrors, BODY_ERRORS } from '../../http/api-docs';
import { orReject } from '../../http/domain-rejection';
import { TransferResponse } from '../shared/transfer.dto';
import { WithdrawDto } from './withdraw.dto';
import { WithdrawHandler } from './withdraw.handler';

@ApiTags('operator')
@Controller('api/v1/admin/withdrawals')
export class WithdrawController {
  constructor(private readonly handler: WithdrawHandler) {}

  @Post()
  @AdminRoute()
  @ApiOperation({
    summary: "Debit a trader's available balance (idempotent with `reference`)",
    description:
      'Debits only available funds, never locked ones, with a conditional update that cannot go negative, and writes a balanced WITHDRAWAL journal (AVAILABLE -amount, EXTERNAL +amount).',
  })
  @ApiCreatedResponse({ type: TransferResponse })
  @ApiErrors(
    ...BODY_ERRORS,
    'USER_NOT_FOUND',
    'ASSET_NOT_FOUND',
    'REFERENCE_CONFLICT',
    'INSUFFICIENT_FUNDS',
    'USER_NOT_TRADER',
  )
  async withdraw(@Body() body: WithdrawDto): Promise<TransferResponse> {
    return orReject(await this.handler.execute(body));
  }
}
