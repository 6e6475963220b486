import { Injectable } from '@nestjs/common';
import { toBigInt } from '@app/database';
import { formatMinor } from '@app/domain';
import { DataSource } from 'typeorm';
import type { BalanceResponse } from './list-balances.dto';

/** The balances of one user, by asset, formatted with each asset's scale. */
@Injectable()
export class ListBalancesHandler {
  constructor(private readonly dataSource: DataSource) {}

  async execute(userId: string): Promise<BalanceResponse[]> {
    const rows = (await this.dataSource.query(
      `SELECT b.asset, a.scale, b.available::text AS available, b.locked::text AS locked
         FROM balances b JOIN assets a ON a.code = b.asset
        WHERE b.user_id = $1
        ORDER BY b.asset`,
      [userId],
    )) as { asset: string; scale: number; available: string; locked: string }[];
    return rows.map((row) => ({
      asset: row.asset,
      available: formatMinor(toBigInt(row.available), Number(row.scale)),
      locked: formatMinor(toBigInt(row.locked), Number(row.scale)),
    }));
  }
}
