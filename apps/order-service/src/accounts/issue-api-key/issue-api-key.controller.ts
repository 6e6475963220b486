import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AdminRoute, ApiErrors, BODY_ERRORS } from '../../http/api-docs';
import { orReject } from '../../http/domain-rejection';
import { uuidParam } from '../../http/uuid-param.pipe';
import { IssueApiKeyDto, IssuedApiKeyResponse } from './issue-api-key.dto';
import { IssueApiKeyHandler } from './issue-api-key.handler';

@ApiTags('operator')
@Controller('api/v1/admin/users/:userId/api-keys')
export class IssueApiKeyController {
  constructor(private readonly handler: IssueApiKeyHandler) {}

  @Post()
  @AdminRoute()
  @ApiOperation({
    summary: 'Issue an API key to a trader; the secret is in this response only',
    description:
      'The secret is stored only encrypted (AES-256-GCM); save it now, it cannot be shown again.',
  })
  @ApiParam({ name: 'userId', format: 'uuid' })
  @ApiCreatedResponse({ type: IssuedApiKeyResponse })
  @ApiErrors(...BODY_ERRORS, 'USER_NOT_FOUND', 'API_KEY_LIMIT_REACHED', 'USER_NOT_TRADER')
  async issue(
    @Param('userId', uuidParam('userId')) userId: string,
    @Body() body: IssueApiKeyDto,
  ): Promise<IssuedApiKeyResponse> {
    return orReject(await this.handler.execute(userId, body));
  }
}
