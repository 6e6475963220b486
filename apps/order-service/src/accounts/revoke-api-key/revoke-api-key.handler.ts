import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { reject, type Rejection } from '../../http/domain-rejection';
import type { RevokedApiKeyResponse } from './revoke-api-key.dto';

/** Revokes a key; idempotent: a second call keeps and returns the first revocation time. */
@Injectable()
export class RevokeApiKeyHandler {
  constructor(private readonly dataSource: DataSource) {}

  async execute(keyId: string): Promise<RevokedApiKeyResponse | Rejection> {
    const [rows] = (await this.dataSource.query(
      `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
        WHERE key_id = $1
        RETURNING key_id, user_id, revoked_at`,
      [keyId],
    )) as [{ key_id: string; user_id: string; revoked_at: Date }[], number];
    if (rows.length === 0) return reject('API_KEY_NOT_FOUND', `no API key has id ${keyId}`);
    return { keyId: rows[0].key_id, userId: rows[0].user_id, revokedAt: rows[0].revoked_at };
  }
}
