import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * A request refused by a guard. The response body already has the service error shape's
 * fields (`code`, `message`, `details.reason`); the service's exception filter adds the request
 * id. `reason` is the precise, stable code from the verifier (IDENTITY_EXPIRED, ...).
 */
export class AuthRejectedException extends HttpException {
  override readonly name = 'AuthRejectedException';

  constructor(
    status: HttpStatus.UNAUTHORIZED | HttpStatus.FORBIDDEN,
    readonly reason: string,
    message: string,
  ) {
    super(
      {
        code: status === HttpStatus.UNAUTHORIZED ? 'UNAUTHENTICATED' : 'FORBIDDEN',
        message,
        details: { reason },
      },
      status,
    );
  }
}
