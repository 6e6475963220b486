// npm run bench:engine — throughput of our matching engine against nodejs-order-book on a shared
// seeded stream (after checking both end with the same book and traded volume), then throughput
// and per-command latency of ours on a realistic mix. Prints a JSON summary as its last line.
import { OrderBook as NobOrderBook, Side as NobSide } from 'nodejs-order-book';
import { EngineCommand, MatchingEngine } from './imports';
import { BENCH_MARKET } from './bench-market';
import { buildRealisticMix } from './realistic-mix';
import { buildSharedStream, ourDepth, SharedOp, toEngineCommands } from './shared-stream';

const SEED = Number(process.env.BENCH_SEED ?? 20_240_601);
const SHARED_COMMANDS = Number(process.env.BENCH_SHARED_COMMANDS ?? 300_000);
const MIX_COMMANDS = Number(process.env.BENCH_MIX_COMMANDS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

type NobCall =
  | { kind: 'limit'; options: Parameters<NobOrderBook['limit']>[0] }
  | { kind: 'market'; options: Parameters<NobOrderBook['market']>[0] }
  | { kind: 'cancel'; id: string };

function toNobCalls(ops: readonly SharedOp[]): NobCall[] {
  const side = (s: 'BUY' | 'SELL') => (s === 'BUY' ? NobSide.BUY : NobSide.SELL);
  return ops.map((op): NobCall => {
    if (op.kind === 'limit')
      return {
        kind: 'limit',
        options: { id: op.id, side: side(op.side), price: op.price, size: op.size },
      };
    if (op.kind === 'market')
      return { kind: 'market', options: { side: side(op.side), size: op.size } };
    return { kind: 'cancel', id: op.id };
  });
}

/** Runs the calls; returns traded base volume. */
function runNob(book: NobOrderBook, calls: readonly NobCall[]): number {
  let volume = 0;
  for (const call of calls) {
    if (call.kind === 'cancel') {
      book.cancel(call.id);
    } else {
      const response = call.kind === 'limit' ? book.limit(call.options) : book.market(call.options);
      if (response.err === null) volume += call.options.size - response.quantityLeft;
    }
  }
  return volume;
}

function runOurs(engine: MatchingEngine, commands: readonly EngineCommand[]): number {
  let volume = 0;
  for (const command of commands) {
    const trades = engine.apply(command).trades;
    for (let i = 0; i < trades.length; i++) volume += trades[i].qtyLots;
  }
  return volume;
}

function nobDepth(book: NobOrderBook): { bids: [number, number][]; asks: [number, number][] } {
  const [asks, bids] = book.depth();
  return { bids, asks };
}

function timeIt(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function sharedStream() {
  console.log(
    `shared stream: seed ${SEED}, ${fmt(SHARED_COMMANDS)} commands (GTC limit, market, cancel)`,
  );
  const ops = buildSharedStream(SEED, SHARED_COMMANDS);
  const commands = toEngineCommands(ops);
  const calls = toNobCalls(ops);

  const ours = new MatchingEngine({ markets: [BENCH_MARKET] });
  const ourVolume = runOurs(ours, commands);
  const nob = new NobOrderBook();
  const nobVolume = runNob(nob, calls);
  const ourBook = ourDepth(ours);
  const theirBook = nobDepth(nob);
  const sameBook = JSON.stringify(ourBook) === JSON.stringify(theirBook);
  const agree = sameBook && ourVolume === nobVolume;
  console.log(
    `  agreement: volume ours ${fmt(ourVolume)} / nodejs-order-book ${fmt(nobVolume)}, ` +
      `resting levels ${ourBook.bids.length}+${ourBook.asks.length} / ${theirBook.bids.length}+${theirBook.asks.length}, same book: ${sameBook}`,
  );
  if (!agree) {
    console.log('  DISAGREEMENT: the engines differ on this stream; see docs/performance.md');
  }

  const oursRates: number[] = [];
  const theirRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const engine = new MatchingEngine({ markets: [BENCH_MARKET] });
    oursRates.push(SHARED_COMMANDS / timeIt(() => runOurs(engine, commands)));
    const book = new NobOrderBook();
    theirRates.push(SHARED_COMMANDS / timeIt(() => runNob(book, calls)));
  }
  const oursOpsPerSec = median(oursRates);
  const nobOpsPerSec = median(theirRates);
  console.log(`  ours              ${fmt(oursOpsPerSec)} ops/s (median of ${ROUNDS})`);
  console.log(`  nodejs-order-book ${fmt(nobOpsPerSec)} ops/s (median of ${ROUNDS})`);
  console.log(`  ratio             ${(oursOpsPerSec / nobOpsPerSec).toFixed(2)}x`);
  return {
    commands: SHARED_COMMANDS,
    agree,
    tradedVolume: ourVolume,
    oursOpsPerSec: Math.round(oursOpsPerSec),
    nodejsOrderBookOpsPerSec: Math.round(nobOpsPerSec),
    ratio: Number((oursOpsPerSec / nobOpsPerSec).toFixed(2)),
  };
}

function realisticMix() {
  const commands = buildRealisticMix(SEED, MIX_COMMANDS);
  const probe = new MatchingEngine({ markets: [BENCH_MARKET] });
  const counts: Record<string, number> = {};
  let trades = 0;
  for (const command of commands) {
    const result = probe.apply(command);
    const key =
      command.type === 'place'
        ? `${command.orderType}${command.timeInForce === 'IOC' ? ' IOC' : ''}`
        : command.type;
    counts[key] = (counts[key] ?? 0) + 1;
    trades += result.trades.length;
  }
  const snapshot = probe.book(BENCH_MARKET.symbol)!.snapshot();
  const levels = new Set(
    [...snapshot.bids, ...snapshot.asks].map((o) => `${o.side}${o.priceTicks}`),
  ).size;
  console.log(
    `realistic mix: seed ${SEED}, ${fmt(commands.length)} commands ${JSON.stringify(counts)}, ${fmt(trades)} trades`,
  );
  console.log(
    `  book at the end: ${snapshot.bids.length + snapshot.asks.length} resting orders on ${levels} levels`,
  );

  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const engine = new MatchingEngine({ markets: [BENCH_MARKET] });
    rates.push(commands.length / timeIt(() => runOurs(engine, commands)));
  }
  const opsPerSec = median(rates);
  console.log(`  ours              ${fmt(opsPerSec)} ops/s (median of ${ROUNDS})`);

  // Latency: a separate pass timing each command (the clock read itself is included).
  const latencies = new Float64Array(commands.length);
  const engine = new MatchingEngine({ markets: [BENCH_MARKET] });
  for (let i = 0; i < commands.length; i++) {
    const start = process.hrtime.bigint();
    engine.apply(commands[i]);
    latencies[i] = Number(process.hrtime.bigint() - start);
  }
  latencies.sort();
  const p50Us = percentile(latencies, 0.5) / 1000;
  const p99Us = percentile(latencies, 0.99) / 1000;
  const p999Us = percentile(latencies, 0.999) / 1000;
  console.log(
    `  latency per command: p50 ${p50Us.toFixed(2)} us, p99 ${p99Us.toFixed(2)} us, p99.9 ${p999Us.toFixed(2)} us`,
  );
  return {
    commands: commands.length,
    opsPerSec: Math.round(opsPerSec),
    p50Us: round2(p50Us),
    p99Us: round2(p99Us),
    p999Us: round2(p999Us),
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function main(): void {
  console.log(`bench:engine on node ${process.version}`);
  const shared = sharedStream();
  const mix = realisticMix();
  console.log(
    JSON.stringify({ seed: SEED, node: process.version, sharedStream: shared, realisticMix: mix }),
  );
}

main();
