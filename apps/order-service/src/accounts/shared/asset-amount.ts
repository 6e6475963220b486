import { parseAmount } from '@app/domain';
import type { EntityManager } from 'typeorm';
import { reject, rejectFields, type Rejection } from '../../http/domain-rejection';
import type { FieldErrorCode } from '../../http/error-codes';

/** An amount of an asset, exact: minor units and the asset's scale (decimals). */
export interface AssetAmount {
  readonly asset: string;
  readonly scale: number;
  readonly amountMinor: bigint;
}

/** The scale of `asset` from the assets table, or ASSET_NOT_FOUND. */
export async function assetScale(
  manager: EntityManager,
  asset: string,
): Promise<number | Rejection> {
  const rows = (await manager.query('SELECT scale FROM assets WHERE code = $1', [asset])) as {
    scale: number;
  }[];
  if (rows.length === 0) return reject('ASSET_NOT_FOUND', `no asset has code ${asset}`);
  return Number(rows[0].scale);
}

/**
 * Reads `amount` (whole units, a decimal string the DTO already checked for shape) at the
 * asset's scale. More decimals than the scale, or more than the largest amount, is a 400 on
 * the `amount` field: an amount is never rounded.
 */
export async function resolveAmount(
  manager: EntityManager,
  asset: string,
  amount: string,
): Promise<AssetAmount | Rejection> {
  const scale = await assetScale(manager, asset);
  if (typeof scale !== 'number') return scale;
  const parsed = parseAmount(amount, scale);
  if (!parsed.ok) {
    return rejectFields([
      {
        field: 'amount',
        code: parsed.code as FieldErrorCode,
        message: `amount ${amount} is not a valid ${asset} amount (scale ${scale}): ${parsed.code}`,
      },
    ]);
  }
  return { asset, scale, amountMinor: parsed.value };
}
