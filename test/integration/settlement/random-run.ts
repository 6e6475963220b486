// A seeded randomized trading session for the settlement tests: random traders place random
// orders of every type through TX1's SQL and cancel some, the queued commands are read back
// from the outbox, matched by an in-process MatchingEngine, and the results are published as
// envelopes to the results topic for settlement to apply. Not a test file.
import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import type { EngineCommand } from '@app/domain';
import { settlementCaughtUp } from '@app/settlement';
import {
  cancel,
  createTrader,
  drainOutboxCommands,
  encodeResults,
  expectAuditClean,
  placeOrders,
  type PlaceInput,
  type SettlementFixture,
} from './settlement-helpers';
import type { Kafka } from 'kafkajs';
import { seededFloats } from '@app/domain/testing/prng';

export interface RandomRunOptions {
  readonly seed: number;
  readonly traders: number;
  readonly rounds: number;
  readonly actionsPerRound: number;
  /** Wait for settlement and audit after every this many rounds. */
  readonly auditEveryRounds: number;
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly resultsTopic: string;
  /** Default true; false only publishes (nobody waits for settlement or audits). */
  readonly settle?: boolean;
}

export interface RandomRunStats {
  commands: number;
  trades: number;
  results: number;
  /**
   * Every "TYPE STATUS" pair the orders table held at an audit checkpoint (after settlement
   * caught up): transient states such as PENDING_TRIGGER count even if no order ends in them.
   */
  kinds: Set<string>;
}

const USDT = 100_000_000n;
const BASE_PRICE: Record<string, number> = { 'BTC-USDT': 3_000_000, 'ETH-USDT': 200_000 };
const LOTS: Record<string, [number, number]> = {
  'BTC-USDT': [100, 3_000],
  'ETH-USDT': [300, 5_000],
};

export async function waitCaughtUp(
  f: SettlementFixture,
  kafka: Kafka,
  topic: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await settlementCaughtUp(f.dataSource, kafka, topic))) {
    if (Date.now() > deadline) throw new Error('settlement did not catch up in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs the session; throws (with the seed in the message) on the first failed audit. */
export async function randomRun(
  f: SettlementFixture,
  o: RandomRunOptions,
): Promise<RandomRunStats> {
  const random = seededFloats(o.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const users: string[] = [];
  for (let i = 0; i < o.traders; i++) {
    users.push(
      await createTrader(f, { USDT: 1_000_000n * USDT, BTC: 20n * USDT, ETH: 300n * USDT }),
    );
  }
  const live: { userId: string; orderId: string; symbol: string }[] = [];
  const stats: RandomRunStats = { commands: 0, trades: 0, results: 0, kinds: new Set() };
  const symbols = Object.keys(BASE_PRICE);

  const randomOrder = (userId: string): PlaceInput => {
    const symbol = pick(symbols);
    const side = pick(['BUY', 'SELL'] as const);
    const price = BASE_PRICE[symbol] + int(-200, 200) * 10;
    const [minLots, maxLots] = LOTS[symbol];
    const qtyLots = int(minLots, maxLots);
    const kind = pick(['LIMIT', 'LIMIT', 'LIMIT', 'MARKET', 'STOP_LIMIT', 'STOP_MARKET'] as const);
    const stp = pick(['NONE', 'NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'] as const);
    const stop = BASE_PRICE[symbol] + int(-100, 100) * 10;
    if (kind === 'LIMIT' || kind === 'STOP_LIMIT') {
      const tif = pick(['GTC', 'GTC', 'IOC', 'FOK'] as const);
      return {
        userId,
        symbol,
        side,
        orderType: 'LIMIT',
        priceTicks: price,
        qtyLots,
        timeInForce: tif,
        postOnly: tif === 'GTC' && random() < 0.1,
        stpMode: stp,
        ...(kind === 'STOP_LIMIT' ? { stopPriceTicks: stop } : {}),
      };
    }
    const stopPart = kind === 'STOP_MARKET' ? { stopPriceTicks: stop } : {};
    if (side === 'SELL')
      return { userId, symbol, side, orderType: 'MARKET', qtyLots, stpMode: stp, ...stopPart };
    return random() < 0.5
      ? {
          userId,
          symbol,
          side,
          orderType: 'MARKET',
          quoteAmountMinor: BigInt(int(10, 2_000)) * USDT,
          stpMode: stp,
          ...stopPart,
        }
      : {
          userId,
          symbol,
          side,
          orderType: 'MARKET',
          qtyLots,
          quoteCapMinor:
            BigInt(price + 2_000) * BigInt(qtyLots) * (symbol === 'BTC-USDT' ? 10n : 100n),
          stpMode: stp,
          ...stopPart,
        };
  };

  for (let round = 1; round <= o.rounds; round++) {
    const cancels: EngineCommand[] = [];
    for (let a = 0; a < o.actionsPerRound; a++) {
      const userId = pick(users);
      if (random() < 0.03) {
        // Cancel-all of one market, as TX1 does it: mark the live orders, queue one command.
        const symbol = pick(symbols);
        await f.dataSource.query(
          `UPDATE orders SET cancel_requested = true
            WHERE user_id = $1 AND symbol = $2 AND status IN ('NEW', 'PENDING_TRIGGER', 'OPEN', 'PARTIALLY_FILLED')`,
          [userId, symbol],
        );
        cancels.push({
          type: 'cancelAll',
          commandId: randomUUID(),
          timestampMs: f.now++,
          userId,
          symbol,
        });
        continue;
      }
      if (live.length > 0 && random() < 0.2) {
        const [target] = live.splice(Math.floor(random() * live.length), 1);
        cancels.push(await cancel(f, target.userId, target.orderId, target.symbol));
        continue;
      }
      const inputs = Array.from({ length: random() < 0.2 ? int(2, 4) : 1 }, () =>
        randomOrder(userId),
      );
      const placed = await placeOrders(f, inputs);
      for (const command of placed ?? [])
        live.push({ userId, orderId: command.orderId, symbol: command.symbol });
    }
    // Cancels go to the engine after this round's places (both are "in the outbox" order).
    const commands = [...(await drainOutboxCommands(f)), ...cancels];
    const results = commands.map((command) => f.engine.apply(command));
    stats.commands += commands.length;
    stats.results += results.length;
    stats.trades += results.reduce((n, r) => n + r.trades.length, 0);
    const values = encodeResults(f, results);
    await o.producer.send({
      topic: o.resultsTopic,
      messages: results.map((result, i) => ({ key: result.symbol, value: values[i] })),
    });
    if (o.settle !== false && (round % o.auditEveryRounds === 0 || round === o.rounds)) {
      await waitCaughtUp(f, o.kafka, o.resultsTopic);
      await expectAuditClean(f.dataSource, `(seed ${o.seed}, round ${round})`);
      const kinds = (await f.dataSource.query(
        `SELECT DISTINCT type || ' ' || status AS kind FROM orders`,
      )) as { kind: string }[];
      for (const { kind } of kinds) stats.kinds.add(kind);
    }
  }
  return stats;
}
