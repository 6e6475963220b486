import { Body, Controller, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminRoute, ApiErrors, BODY_ERRORS } from '../../http/api-docs';
import { orReject } from '../../http/domain-rejection';
import { CreateUserDto, UserResponse } from './create-user.dto';
import { CreateUserHandler } from './create-user.handler';

@ApiTags('operator')
@Controller('api/v1/admin/users')
export class CreateUserController {
  constructor(private readonly handler: CreateUserHandler) {}

  @Post()
  @AdminRoute()
  @ApiOperation({ summary: 'Create a trader (no balances, no keys yet)' })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiErrors(...BODY_ERRORS, 'USER_NAME_TAKEN')
  async create(@Body() body: CreateUserDto): Promise<UserResponse> {
    return orReject(await this.handler.execute(body));
  }
}
