import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_CODES, FIELD_ERROR_CODES } from './error-codes';

/** Swagger schema of one entry of `details.fields`. */
export class FieldErrorDto {
  @ApiProperty({ example: 'amount', description: 'Dotted path of the field, or a route parameter' })
  field!: string;

  @ApiProperty({ enum: Object.keys(FIELD_ERROR_CODES), example: 'TOO_MANY_DECIMALS' })
  code!: string;

  @ApiProperty({ example: 'amount has more decimals than USDT allows (8)' })
  message!: string;
}

/** Swagger schema of the one error shape every endpoint returns. */
export class ErrorResponse {
  @ApiProperty({
    enum: Object.keys(ERROR_CODES),
    example: 'INSUFFICIENT_FUNDS',
    description: 'Stable machine-readable code; branch on this, not on the message',
  })
  code!: string;

  @ApiProperty({ example: 'available USDT balance is 10.00000000, the withdrawal needs 12' })
  message!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'Structured context: `fields` (FieldErrorDto[]) for 400s, `reason` for 401/403, amounts for 422s',
  })
  details?: Record<string, unknown>;

  @ApiProperty({
    example: '5f0c1a7e-3c1b-4b0e-9a53-2d1f4f6b9d10',
    description: 'The x-request-id of the request; quote it when reporting a problem',
  })
  requestId!: string;
}
