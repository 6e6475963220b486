import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ForbiddenField } from '../../http/forbidden-field.decorator';
import { USER_NAME_LENGTH_MAX } from '../shared/constants';

/** Body of POST /api/v1/admin/users. */
export class CreateUserDto {
  @ApiProperty({
    example: 'carol',
    minLength: 1,
    maxLength: USER_NAME_LENGTH_MAX,
    pattern: '^[A-Za-z0-9._-]+$',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(USER_NAME_LENGTH_MAX)
  @Matches(/^[A-Za-z0-9._-]+$/, { message: 'name may contain letters, digits and . _ - only' })
  name!: string;

  @ForbiddenField('user ids are assigned by the server')
  id?: never;

  @ForbiddenField('users created here are always TRADER accounts')
  kind?: never;
}

/** A user as the API shows it. */
export class UserResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'carol' })
  name!: string;

  @ApiProperty({ enum: ['TRADER', 'SYSTEM'] })
  kind!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;
}
