import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from './auth-options';

/**
 * The id (UUID) of the trader whose identity `InternalIdentityGuard` verified. Using it on a
 * route without that guard is a bug, so it throws rather than yield undefined.
 */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (request.authenticatedUserId === undefined) {
    throw new Error('@CurrentUser() used on a route without InternalIdentityGuard');
  }
  return request.authenticatedUserId;
});
