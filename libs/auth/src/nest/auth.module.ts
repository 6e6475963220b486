import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AdminGuard } from './admin.guard';
import { AUTH_OPTIONS, type AuthOptions } from './auth-options';
import { InternalIdentityGuard } from './internal-identity.guard';

/**
 * Registers the guards with their secrets, globally, so any controller can say
 * `@UseGuards(InternalIdentityGuard)` or `@UseGuards(AdminGuard)`.
 */
@Global()
@Module({})
export class AuthModule {
  static forRoot(options: AuthOptions): DynamicModule {
    return {
      module: AuthModule,
      providers: [{ provide: AUTH_OPTIONS, useValue: options }, InternalIdentityGuard, AdminGuard],
      exports: [AUTH_OPTIONS, InternalIdentityGuard, AdminGuard],
    };
  }
}
