import {
  HttpStatus,
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { AdminCredentialErrorCode, verifyAdminCredential } from '../admin-credential';
import { INTERNAL_IDENTITY_HEADERS } from '../internal-identity';
import { AUTH_OPTIONS, type AuthOptions, type AuthenticatedRequest } from './auth-options';
import { AuthRejectedException } from './auth-rejected.exception';

/**
 * Admits a request only with `Authorization: Bearer <ADMIN_API_TOKEN>`. A request that carries
 * a trader identity instead (it came through the gateway) is a 403 FORBIDDEN: the caller is
 * known, and operators' endpoints are not for traders. Anything else is a 401 UNAUTHENTICATED.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(@Inject(AUTH_OPTIONS) private readonly options: AuthOptions) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const result = verifyAdminCredential({
      token: this.options.adminApiToken,
      authorization: request.headers.authorization,
    });
    if (result.ok) return true;
    const trader = request.headers[INTERNAL_IDENTITY_HEADERS.userId] !== undefined;
    if (result.code === AdminCredentialErrorCode.ADMIN_CREDENTIAL_MISSING && trader) {
      throw new AuthRejectedException(
        HttpStatus.FORBIDDEN,
        'ADMIN_ONLY',
        'operator endpoints are not available to traders',
      );
    }
    throw new AuthRejectedException(
      HttpStatus.UNAUTHORIZED,
      result.code,
      'the operator bearer token is required',
    );
  }
}
