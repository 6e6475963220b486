import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { reject, type Rejection } from '../../http/domain-rejection';
import type { CreateUserDto, UserResponse } from './create-user.dto';

/** Creates a TRADER user with no balances; a taken name is a 409 USER_NAME_TAKEN. */
@Injectable()
export class CreateUserHandler {
  constructor(private readonly dataSource: DataSource) {}

  async execute(input: CreateUserDto): Promise<UserResponse | Rejection> {
    const rows = (await this.dataSource.query(
      `INSERT INTO users (name, kind) VALUES ($1, 'TRADER')
       ON CONFLICT (name) DO NOTHING
       RETURNING id, name, kind, created_at`,
      [input.name],
    )) as { id: string; name: string; kind: string; created_at: Date }[];
    if (rows.length === 0) return reject('USER_NAME_TAKEN', `a user named ${input.name} exists`);
    const [row] = rows;
    return { id: row.id, name: row.name, kind: row.kind, createdAt: row.created_at };
  }
}
