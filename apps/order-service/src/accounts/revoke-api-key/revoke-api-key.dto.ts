import { ApiProperty } from '@nestjs/swagger';

/** A revoked key. */
export class RevokedApiKeyResponse {
  @ApiProperty({ example: 'ak_7GqV2mXc9PzR4tLk1NwB' })
  keyId!: string;

  @ApiProperty({ format: 'uuid' })
  userId!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'When the key was first revoked; revoking again changes nothing',
  })
  revokedAt!: Date;
}
