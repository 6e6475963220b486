import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { DECIMAL_AMOUNT_PATTERN, IsDecimalAmount } from '../../http/decimal-amount.decorator';
import { ForbiddenField } from '../../http/forbidden-field.decorator';
import { TRANSFER_REFERENCE_LENGTH_MAX } from './constants';

/** Body of an operator deposit or withdrawal. */
export class TransferDto {
  @ApiProperty({ format: 'uuid', description: 'The trader whose available balance changes' })
  @IsUUID()
  userId!: string;

  @ApiProperty({ example: 'USDT', description: 'Asset code' })
  @IsString()
  @Matches(/^[A-Z0-9]{1,16}$/, { message: 'asset must be an asset code such as USDT' })
  asset!: string;

  @ApiProperty({
    example: '1500.25',
    pattern: DECIMAL_AMOUNT_PATTERN,
    description:
      "Whole units as a decimal string, positive, at most the asset's scale in decimals; never a JSON number",
  })
  @IsDecimalAmount()
  amount!: string;

  @ApiPropertyOptional({
    example: 'bank-tx-2026-000123',
    maxLength: TRANSFER_REFERENCE_LENGTH_MAX,
    description:
      'Your id of this transfer. Makes the request idempotent: the same reference is applied once; ' +
      'repeating it with the same user, asset and amount returns the first result (`replayed: true`), ' +
      'with anything else is a 409 REFERENCE_CONFLICT.',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._:\-/]+$/, {
    message: 'reference may contain letters, digits and . _ : - / only',
  })
  @MaxLength(TRANSFER_REFERENCE_LENGTH_MAX)
  reference?: string;

  @ForbiddenField('the journal id is assigned by the server (derived from `reference`)')
  journalId?: never;
}

/** Result of a deposit or withdrawal. */
export class TransferResponse {
  @ApiProperty({ format: 'uuid', description: 'Ledger journal of this transfer' })
  journalId!: string;

  @ApiProperty({ format: 'uuid' })
  userId!: string;

  @ApiProperty({ example: 'USDT' })
  asset!: string;

  @ApiProperty({ example: '1500.25000000', description: 'Amount moved, with the asset scale' })
  amount!: string;

  @ApiProperty({ nullable: true, type: String, example: 'bank-tx-2026-000123' })
  reference!: string | null;

  @ApiProperty({ example: '1500.25000000', description: 'Available balance after the transfer' })
  available!: string;

  @ApiProperty({
    description: 'True when this reference had been applied before: nothing new was written',
  })
  replayed!: boolean;
}
