import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminRoute } from '../http/api-docs';
import { AuditReportResponse } from './audit.dto';
import { AuditHandler } from './audit.handler';

@ApiTags('operator')
@Controller('api/v1/admin/audit')
export class AuditController {
  constructor(private readonly handler: AuditHandler) {}

  @Get()
  @AdminRoute()
  @ApiOperation({
    summary: 'Check every money invariant on the live database',
    description:
      'Conservation per asset, no negative amounts, balances equal their ledger, balanced journals, ' +
      'order locks, fills and trades consistent, each trade settled once. Read-only, one snapshot. ' +
      'Answers 200 either way: `ok` says whether everything holds. Also sets the gauge ' +
      '`exchange_audit_violations`.',
  })
  @ApiOkResponse({ type: AuditReportResponse })
  async audit(): Promise<AuditReportResponse> {
    return (await this.handler.execute()) as AuditReportResponse;
  }
}
