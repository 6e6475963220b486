import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '@app/auth';
import { TraderRoute } from '../../http/api-docs';
import { BalanceResponse } from './list-balances.dto';
import { ListBalancesHandler } from './list-balances.handler';

@ApiTags('trader')
@Controller('api/v1/balances')
export class ListBalancesController {
  constructor(private readonly handler: ListBalancesHandler) {}

  @Get()
  @TraderRoute()
  @ApiOperation({ summary: "The calling trader's balances: available and locked, per asset" })
  @ApiOkResponse({ type: BalanceResponse, isArray: true })
  list(@CurrentUser() userId: string): Promise<BalanceResponse[]> {
    return this.handler.execute(userId);
  }
}
