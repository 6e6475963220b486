import type { EntityManager } from 'typeorm';
import { reject, type Rejection } from '../../http/domain-rejection';

/**
 * The user `userId` if it exists and is a TRADER (SYSTEM accounts such as `fees` hold no keys
 * and make no transfers). `forUpdate` locks the row, serialising per-user changes.
 */
export async function findTrader(
  manager: EntityManager,
  userId: string,
  options: { forUpdate?: boolean } = {},
): Promise<{ id: string; name: string } | Rejection> {
  const rows = (await manager.query(
    `SELECT id, name, kind FROM users WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [userId],
  )) as { id: string; name: string; kind: string }[];
  if (rows.length === 0) return reject('USER_NOT_FOUND', `no user has id ${userId}`);
  if (rows[0].kind !== 'TRADER') {
    return reject('USER_NOT_TRADER', `user ${rows[0].name} is a ${rows[0].kind} account`);
  }
  return { id: rows[0].id, name: rows[0].name };
}
