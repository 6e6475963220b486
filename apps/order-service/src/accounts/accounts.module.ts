import { Module } from '@nestjs/common';
import { CreateUserController } from './create-user/create-user.controller';
import { CreateUserHandler } from './create-user/create-user.handler';
import { DepositController } from './deposit/deposit.controller';
import { DepositHandler } from './deposit/deposit.handler';
import { IssueApiKeyController } from './issue-api-key/issue-api-key.controller';
import { IssueApiKeyHandler } from './issue-api-key/issue-api-key.handler';
import { ListBalancesController } from './list-balances/list-balances.controller';
import { ListBalancesHandler } from './list-balances/list-balances.handler';
import { RevokeApiKeyController } from './revoke-api-key/revoke-api-key.controller';
import { RevokeApiKeyHandler } from './revoke-api-key/revoke-api-key.handler';
import { WithdrawController } from './withdraw/withdraw.controller';
import { WithdrawHandler } from './withdraw/withdraw.handler';

/**
 * Users, API keys and money in and out (operator endpoints), and the trader's balances. The
 * API key encryption key (`API_KEY_ENCRYPTION_KEY` token) comes from the root module.
 */
@Module({
  controllers: [
    CreateUserController,
    IssueApiKeyController,
    RevokeApiKeyController,
    DepositController,
    WithdrawController,
    ListBalancesController,
  ],
  providers: [
    CreateUserHandler,
    IssueApiKeyHandler,
    RevokeApiKeyHandler,
    DepositHandler,
    WithdrawHandler,
    ListBalancesHandler,
  ],
})
export class AccountsModule {}
