import { Inject, Injectable } from '@nestjs/common';
import { encryptSecret, generateApiKey } from '@app/auth';
import { DataSource } from 'typeorm';
import { isRejection, reject, type Rejection } from '../../http/domain-rejection';
import { API_KEY_ENCRYPTION_KEY } from '../api-key-encryption.token';
import { API_KEYS_ACTIVE_PER_USER_MAX } from '../shared/constants';
import { findTrader } from '../shared/trader';
import type { IssuedApiKeyResponse, IssueApiKeyDto } from './issue-api-key.dto';

/**
 * Issues an API key to a trader. The secret is encrypted (AES-256-GCM, the key id as associated
 * data) before it is stored and returned in clear only in this response. The user row is
 * locked so the count of active keys cannot be raced past its bound.
 */
@Injectable()
export class IssueApiKeyHandler {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(API_KEY_ENCRYPTION_KEY) private readonly encryptionKey: Buffer,
  ) {}

  execute(userId: string, input: IssueApiKeyDto): Promise<IssuedApiKeyResponse | Rejection> {
    return this.dataSource.transaction(async (manager) => {
      const user = await findTrader(manager, userId, { forUpdate: true });
      if (isRejection(user)) return user;
      const [{ active }] = (await manager.query(
        'SELECT count(*)::int AS active FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL',
        [user.id],
      )) as { active: number }[];
      if (active >= API_KEYS_ACTIVE_PER_USER_MAX) {
        return reject(
          'API_KEY_LIMIT_REACHED',
          `user ${user.name} already has ${active} active API keys (at most ${API_KEYS_ACTIVE_PER_USER_MAX})`,
        );
      }
      const { keyId, secret } = generateApiKey();
      const label = input.label ?? '';
      const [row] = (await manager.query(
        `INSERT INTO api_keys (user_id, key_id, secret_enc, label) VALUES ($1, $2, $3, $4)
         RETURNING created_at`,
        [user.id, keyId, encryptSecret(secret, this.encryptionKey, keyId), label],
      )) as { created_at: Date }[];
      return { keyId, secret, userId: user.id, label, createdAt: row.created_at };
    });
  }
}
