import {
  HttpStatus,
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { verifyInternalIdentity } from '../internal-identity';
import { AUTH_OPTIONS, type AuthOptions, type AuthenticatedRequest } from './auth-options';
import { AuthRejectedException } from './auth-rejected.exception';

/**
 * Admits a request only with a valid identity signed by the gateway (x-user-id, x-auth-ts,
 * x-auth-sig; see `verifyInternalIdentity`), and records the user for `@CurrentUser()`.
 * Anything else is a 401 UNAUTHENTICATED whose `details.reason` says why.
 */
@Injectable()
export class InternalIdentityGuard implements CanActivate {
  constructor(@Inject(AUTH_OPTIONS) private readonly options: AuthOptions) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const result = verifyInternalIdentity({
      secret: this.options.internalAuthSecret,
      headers: request.headers,
      method: request.method,
      path: request.url,
      nowMs: (this.options.nowMs ?? Date.now)(),
      skewMsMax: this.options.identitySkewMsMax,
    });
    if (!result.ok) {
      throw new AuthRejectedException(
        HttpStatus.UNAUTHORIZED,
        result.code,
        'a trader identity signed by the gateway is required',
      );
    }
    request.authenticatedUserId = result.userId;
    return true;
  }
}
