import { Body, Controller, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminRoute, ApiErrors, BODY_ERRORS } from '../../http/api-docs';
import { orReject } from '../../http/domain-rejection';
import { TransferResponse } from '../shared/transfer.dto';
import { DepositDto } from './deposit.dto';
import { DepositHandler } from './deposit.handler';

@ApiTags('operator')
@Controller('api/v1/admin/deposits')
export class DepositController {
  constructor(private readonly handler: DepositHandler) {}

  @Post()
  @AdminRoute()
  @ApiOperation({
    summary: "Credit a trader's available balance (idempotent with `reference`)",
    description:
      'Writes a balanced DEPOSIT journal (EXTERNAL -amount, AVAILABLE +amount) and credits the balance in one transaction.',
  })
  @ApiCreatedResponse({ type: TransferResponse })
  @ApiErrors(
    ...BODY_ERRORS,
    'USER_NOT_FOUND',
    'ASSET_NOT_FOUND',
    'REFERENCE_CONFLICT',
    'USER_NOT_TRADER',
  )
  async deposit(@Body() body: DepositDto): Promise<TransferResponse> {
    return orReject(await this.handler.execute(body));
  }
}
