import { Controller, Delete, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AdminRoute, ApiErrors } from '../../http/api-docs';
import { orReject } from '../../http/domain-rejection';
import { RevokedApiKeyResponse } from './revoke-api-key.dto';
import { RevokeApiKeyHandler } from './revoke-api-key.handler';

@ApiTags('operator')
@Controller('api/v1/admin/api-keys/:keyId')
export class RevokeApiKeyController {
  constructor(private readonly handler: RevokeApiKeyHandler) {}

  @Delete()
  @AdminRoute()
  @ApiOperation({ summary: 'Revoke an API key (idempotent)' })
  @ApiParam({ name: 'keyId', example: 'ak_7GqV2mXc9PzR4tLk1NwB' })
  @ApiOkResponse({ type: RevokedApiKeyResponse })
  @ApiErrors('API_KEY_NOT_FOUND')
  async revoke(@Param('keyId') keyId: string): Promise<RevokedApiKeyResponse> {
    return orReject(await this.handler.execute(keyId));
  }
}
