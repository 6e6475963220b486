import { ApiProperty } from '@nestjs/swagger';

/** One invariant check of the audit. */
export class AuditCheckResponse {
  @ApiProperty({ example: 'conservation' })
  name!: string;

  @ApiProperty({
    example:
      'Per asset: balances (available + locked) plus the FEES account equal deposits minus withdrawals (invariant 1).',
  })
  description!: string;

  @ApiProperty({ example: 0, description: 'Rows violating the check; 0 = it holds' })
  violations!: number;

  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'Up to 10 violating rows, as the check found them (amounts in minor units)',
  })
  sample!: Record<string, unknown>[];
}

/** The auditor's report on the live database. */
export class AuditReportResponse {
  @ApiProperty({ example: true, description: 'True when every check holds' })
  ok!: boolean;

  @ApiProperty({ example: 0, description: 'Violations over all checks' })
  violations!: number;

  @ApiProperty({ example: '2026-01-01T00:00:00.000Z' })
  checkedAt!: string;

  @ApiProperty({ type: [AuditCheckResponse] })
  checks!: AuditCheckResponse[];
}
