// Shared setup of the settlement benchmark and its profiler: traders in pairs, each pair with a
// big resting buy and sell on one market placed through TX1's SQL, and the synthetic one-trade
// results between them. Not a benchmark itself.
import { readFileSync } from 'node:fs';
import type { EngineResult, Market } from '@app/domain';
import {
  crossBook,
  nextCrossResult,
  type CrossBook,
  type MarketSequences,
} from '../../test/integration/settlement/cross-trades';
import {
  createTrader,
  place,
  type SettlementFixture,
} from '../../test/integration/settlement/settlement-helpers';

const UNIT = 100_000_000n;

/** `users / 2` pairs alternating over BTC-USDT and ETH-USDT, each able to make `trades` fills. */
export async function setupCrossBooks(
  f: SettlementFixture,
  trades: number,
  users: number,
): Promise<CrossBook[]> {
  const sequences = new Map<string, MarketSequences>();
  const books: CrossBook[] = [];
  const lotsPerOrder = Math.ceil(trades / (users / 2)) + 10;
  for (let pair = 0; pair < users / 2; pair++) {
    const symbol = pair % 2 === 0 ? 'BTC-USDT' : 'ETH-USDT';
    const price = symbol === 'BTC-USDT' ? 3_000_000 : 200_000;
    const funds = { USDT: 100_000n * UNIT, BTC: 10n * UNIT, ETH: 100n * UNIT };
    const buyer = await createTrader(f, funds);
    const seller = await createTrader(f, funds);
    const common = {
      symbol,
      orderType: 'LIMIT' as const,
      priceTicks: price,
      qtyLots: lotsPerOrder,
    };
    const buy = await place(f, { ...common, userId: buyer, side: 'BUY' });
    const sell = await place(f, { ...common, userId: seller, side: 'SELL' });
    if (!sequences.has(symbol)) sequences.set(symbol, { tradeSeq: 0, eventSeq: 0 });
    books.push(crossBook(f.markets.get(symbol) as Market, buy, sell, sequences.get(symbol)));
  }
  return books;
}

/** Result number `i` of the run: one one-lot trade, the books taken round robin. */
export function crossResult(books: readonly CrossBook[], i: number): EngineResult {
  return nextCrossResult(books[i % books.length], 1, i % 3 === 0 ? 'SELL' : 'BUY');
}

/** CPU seconds (user + system) of every backend connected to the fixture's database, by pid. */
export async function backendCpu(f: SettlementFixture): Promise<Map<number, number>> {
  const rows = (await f.dataSource.query(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`,
  )) as { pid: number }[];
  const ticks = 100; // USER_HZ on Linux
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      cpu.set(pid, (Number(fields[11]) + Number(fields[12])) / ticks);
    } catch {
      // The backend ended between the two reads.
    }
  }
  return cpu;
}

/** CPU seconds the backends spent between two `backendCpu` readings (new backends count whole). */
export function backendCpuSeconds(before: Map<number, number>, after: Map<number, number>): number {
  let seconds = 0;
  for (const [pid, total] of after) seconds += total - (before.get(pid) ?? 0);
  return seconds;
}

/** Opens `connections` connections of the fixture's pool, so that their backends can be counted. */
export async function warmPool(f: SettlementFixture, connections: number): Promise<void> {
  await Promise.all(
    Array.from({ length: connections }, () => f.dataSource.query('SELECT pg_sleep(0.05)')),
  );
}
