import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { decimalToMinorUnits } from './amount';
import { journalExists, recordDeposit } from './deposit';

// Demo data for local runs and tests: three assets, two markets, the fee account and two funded
// traders. Every credit is a DEPOSIT journal, so conservation holds from the first row.

export const FEES_USER_NAME = 'fees';

export const DEMO_ASSETS = [
  { code: 'BTC', scale: 8 },
  { code: 'ETH', scale: 8 },
  { code: 'USDT', scale: 8 },
] as const;

export const DEMO_MARKETS = [
  {
    symbol: 'BTC-USDT',
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    tickSize: '0.01',
    stepSize: '0.00001',
    minQty: '0.00001',
    maxQty: '1000',
    minNotional: '5',
    makerFeePpm: 1000,
    takerFeePpm: 2000,
    status: 'TRADING',
  },
  {
    symbol: 'ETH-USDT',
    baseAsset: 'ETH',
    quoteAsset: 'USDT',
    tickSize: '0.01',
    stepSize: '0.0001',
    minQty: '0.0001',
    maxQty: '10000',
    minNotional: '5',
    makerFeePpm: 1000,
    takerFeePpm: 2000,
    status: 'TRADING',
  },
] as const;

/** Whole-unit deposits per demo trader. */
export const DEMO_DEPOSITS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  alice: { USDT: '100000', BTC: '2', ETH: '20' },
  bob: { USDT: '50000', BTC: '5', ETH: '50' },
};

/** What a seed run inserted; all zero when the data was already there. */
export interface SeedResult {
  assetsCreated: number;
  marketsCreated: number;
  usersCreated: number;
  depositsRecorded: number;
}

/**
 * The journal id of one seed deposit, derived from its user and asset, so that a second run
 * recognises the deposit it made before (a UUID in the version 5 layout).
 */
export function seedDepositJournalId(userName: string, asset: string): string {
  const hex = createHash('sha256')
    .update(`exchange-seed:deposit:${userName}:${asset}`)
    .digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

async function insertReferenceData(
  manager: EntityManager,
): Promise<Omit<SeedResult, 'depositsRecorded'>> {
  let assetsCreated = 0;
  for (const asset of DEMO_ASSETS) {
    const rows: unknown[] = await manager.query(
      'INSERT INTO assets (code, scale) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING RETURNING code',
      [asset.code, asset.scale],
    );
    assetsCreated += rows.length;
  }
  let marketsCreated = 0;
  for (const m of DEMO_MARKETS) {
    const rows: unknown[] = await manager.query(
      `INSERT INTO markets (symbol, base_asset, quote_asset, tick_size, step_size, min_qty, max_qty,
                            min_notional, maker_fee_ppm, taker_fee_ppm, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (symbol) DO NOTHING RETURNING symbol`,
      [
        m.symbol,
        m.baseAsset,
        m.quoteAsset,
        m.tickSize,
        m.stepSize,
        m.minQty,
        m.maxQty,
        m.minNotional,
        m.makerFeePpm,
        m.takerFeePpm,
        m.status,
      ],
    );
    marketsCreated += rows.length;
  }
  let usersCreated = 0;
  const users = [
    { name: FEES_USER_NAME, kind: 'SYSTEM' },
    ...Object.keys(DEMO_DEPOSITS).map((name) => ({ name, kind: 'TRADER' })),
  ];
  for (const user of users) {
    const rows: unknown[] = await manager.query(
      'INSERT INTO users (name, kind) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING id',
      [user.name, user.kind],
    );
    usersCreated += rows.length;
  }
  return { assetsCreated, marketsCreated, usersCreated };
}

async function insertDeposits(manager: EntityManager): Promise<number> {
  const scales = new Map<string, number>(DEMO_ASSETS.map((a) => [a.code, a.scale]));
  let depositsRecorded = 0;
  for (const [userName, deposits] of Object.entries(DEMO_DEPOSITS)) {
    const [user] = (await manager.query('SELECT id FROM users WHERE name = $1', [userName])) as {
      id: string;
    }[];
    for (const [asset, whole] of Object.entries(deposits)) {
      const journalId = seedDepositJournalId(userName, asset);
      if (await journalExists(manager, journalId)) continue;
      const scale = scales.get(asset);
      if (scale === undefined) throw new Error(`seed deposit in unknown asset ${asset}`);
      const amount = decimalToMinorUnits(whole, scale);
      await recordDeposit(manager, {
        userId: user.id,
        asset,
        amount,
        journalId,
        refType: 'SEED',
        refId: userName,
      });
      depositsRecorded += 1;
    }
  }
  return depositsRecorded;
}

/**
 * Inserts the demo data that is missing, in one transaction, and leaves existing rows alone:
 * running it twice changes nothing. Concurrent runs serialise on an advisory lock.
 */
export async function seedDemoData(dataSource: DataSource): Promise<SeedResult> {
  return dataSource.transaction(async (manager) => {
    await manager.query("SELECT pg_advisory_xact_lock(hashtext('exchange.seed'))");
    const reference = await insertReferenceData(manager);
    const depositsRecorded = await insertDeposits(manager);
    return { ...reference, depositsRecorded };
  });
}
