// npm run bench:engine — throughput of our matching engine against nodejs-order-book on a shared
// seeded stream (after checking both end with the same book and traded volume), then throughput
// and per-command latency of ours on a realistic mix. Each throughput is measured twice: over
// batches decoded just before they are applied (as the engine service does) and over the whole
// stream built in advance. Prints a JSON summary as its last line.
import { OrderBook as NobOrderBook, Side as NobSide } from 'nodejs-order-book';
import { decodeCommand, encodeCommand, EngineCommand, MatchingEngine } from './imports';
import { BENCH_MARKET } from './bench-market';
import { ID_FORMAT } from './bench-ids';
import { buildRealisticMix } from './realistic-mix';
import { buildSharedStream, ourDepth, SharedOp, toEngineCommands } from './shared-stream';

const SEED = Number(process.env.BENCH_SEED ?? 20_240_601);
const SHARED_COMMANDS = Number(process.env.BENCH_SHARED_COMMANDS ?? 300_000);
const MIX_COMMANDS = Number(process.env.BENCH_MIX_COMMANDS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/**
 * Commands per batch in the batched runs. The engine service decodes each consumed command just
 * before applying it (applyCommandRecord), so the engine reads a command and its strings while
 * they are still in cache. Batches of 16 come close to that while keeping the two clock reads per
 * batch to a few nanoseconds per command; batches of 2,000 (the size of one transaction,
 * ENGINE_BATCH_COMMANDS_MAX, and this benchmark's default until the sixth pass) put a whole
 * transaction's decoding between a command's decode and its apply, which the service never
 * does. A stream of 300,000-1,000,000 commands built in advance is read from memory instead (see
 * docs/performance.md, "Matching core" and "Sixth pass").
 */
const BATCH = Number(process.env.BENCH_BATCH ?? 16);

/**
 * One instance of each engine, kept for the whole run, as the engine service keeps its one
 * engine for a whole leadership. Each round builds new books and drops the last round's; once no
 * object of a hidden class is left, V8 collects that class at the next full collection and
 * discards all optimized code that checks for it, so every round would start cold again, a cost
 * the service never pays (docs/performance.md, "Fourth pass"). Both engines get the same
 * treatment.
 */
const keptAlive: object[] = [];

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

/**
 * Seconds spent in `run` over batches of BATCH items that `prepare` builds, untimed, just before
 * each batch runs.
 */
function timeBatches<T>(
  count: number,
  prepare: (start: number, end: number) => T,
  run: (batch: T) => void,
): number {
  let seconds = 0;
  for (let start = 0; start < count; start += BATCH) {
    const batch = prepare(start, Math.min(count, start + BATCH));
    seconds += timeIt(() => run(batch));
  }
  return seconds;
}

/** Decodes commands[start, end) from their JSON text, as the engine service does. */
const decodeSlice =
  (texts: readonly string[]) =>
  (start: number, end: number): EngineCommand[] => {
    const batch: EngineCommand[] = new Array<EngineCommand>(end - start);
    for (let i = start; i < end; i++) batch[i - start] = decodeCommand(JSON.parse(texts[i]));
    return batch;
  };

const toTexts = (commands: readonly EngineCommand[]): string[] =>
  commands.map((command) => JSON.stringify(encodeCommand(command)));

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
  keptAlive.push(ours, nob);
  console.log(
    `  agreement: volume ours ${fmt(ourVolume)} / nodejs-order-book ${fmt(nobVolume)}, ` +
      `resting levels ${ourBook.bids.length}+${ourBook.asks.length} / ${theirBook.bids.length}+${theirBook.asks.length}, same book: ${sameBook}`,
  );
  if (!agree) {
    console.log('  DISAGREEMENT: the engines differ on this stream; see docs/performance.md');
  }

  // Batched: each engine gets its input for the next BATCH operations freshly built (ours decoded
  // from JSON, nodejs-order-book's calls from the ops), untimed, then runs it timed.
  const texts = toTexts(commands);
  const oursRates: number[] = [];
  const theirRates: number[] = [];
  const oursPrebuiltRates: number[] = [];
  const theirPrebuiltRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const engine = new MatchingEngine({ markets: [BENCH_MARKET] });
    let volume = 0;
    const ourSeconds = timeBatches(SHARED_COMMANDS, decodeSlice(texts), (batch) => {
      volume += runOurs(engine, batch);
    });
    oursRates.push(SHARED_COMMANDS / ourSeconds);
    const book = new NobOrderBook();
    let theirVolume = 0;
    const theirSeconds = timeBatches(
      SHARED_COMMANDS,
      (start, end) => toNobCalls(ops.slice(start, end)),
      (batch) => {
        theirVolume += runNob(book, batch);
      },
    );
    theirRates.push(SHARED_COMMANDS / theirSeconds);
    if (volume !== ourVolume || theirVolume !== nobVolume) throw new Error('batched run differs');

    const prebuiltEngine = new MatchingEngine({ markets: [BENCH_MARKET] });
    oursPrebuiltRates.push(SHARED_COMMANDS / timeIt(() => runOurs(prebuiltEngine, commands)));
    const prebuiltBook = new NobOrderBook();
    theirPrebuiltRates.push(SHARED_COMMANDS / timeIt(() => runNob(prebuiltBook, calls)));
  }
  const rates = (ours: number[], theirs: number[]) => {
    const oursOpsPerSec = median(ours);
    const nobOpsPerSec = median(theirs);
    return {
      oursOpsPerSec: Math.round(oursOpsPerSec),
      nodejsOrderBookOpsPerSec: Math.round(nobOpsPerSec),
      ratio: Number((oursOpsPerSec / nobOpsPerSec).toFixed(2)),
    };
  };
  const batched = rates(oursRates, theirRates);
  const prebuilt = rates(oursPrebuiltRates, theirPrebuiltRates);
  for (const [name, figures] of [
    [`batches of ${fmt(BATCH)}`, batched],
    ['stream built in advance', prebuilt],
  ] as const) {
    console.log(`  ${name} (median of ${ROUNDS}):`);
    console.log(`    ours              ${fmt(figures.oursOpsPerSec)} ops/s`);
    console.log(`    nodejs-order-book ${fmt(figures.nodejsOrderBookOpsPerSec)} ops/s`);
    console.log(`    ratio             ${figures.ratio.toFixed(2)}x`);
  }
  return {
    commands: SHARED_COMMANDS,
    batch: BATCH,
    agree,
    tradedVolume: ourVolume,
    ...batched,
    prebuilt,
  };
}

function realisticMix() {
  const commands = buildRealisticMix(SEED, MIX_COMMANDS);
  const probe = new MatchingEngine({ markets: [BENCH_MARKET] });
  keptAlive.push(probe);
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

  const texts = toTexts(commands);
  const rates: number[] = [];
  const prebuiltRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const engine = new MatchingEngine({ markets: [BENCH_MARKET] });
    const seconds = timeBatches(commands.length, decodeSlice(texts), (batch) => {
      runOurs(engine, batch);
    });
    rates.push(commands.length / seconds);
    const prebuiltEngine = new MatchingEngine({ markets: [BENCH_MARKET] });
    prebuiltRates.push(commands.length / timeIt(() => runOurs(prebuiltEngine, commands)));
  }
  const opsPerSec = median(rates);
  const prebuiltOpsPerSec = median(prebuiltRates);
  console.log(`  ours, batches of ${fmt(BATCH)}  ${fmt(opsPerSec)} ops/s (median of ${ROUNDS})`);
  console.log(`  ours, built in advance  ${fmt(prebuiltOpsPerSec)} ops/s (median of ${ROUNDS})`);

  // Latency: a separate pass timing each command of decoded batches (the clock read itself is
  // included).
  const latencies = new Float64Array(commands.length);
  const engine = new MatchingEngine({ markets: [BENCH_MARKET] });
  const decode = decodeSlice(texts);
  for (let first = 0; first < commands.length; first += BATCH) {
    const batch = decode(first, Math.min(commands.length, first + BATCH));
    for (let i = 0; i < batch.length; i++) {
      const start = process.hrtime.bigint();
      engine.apply(batch[i]);
      latencies[first + i] = Number(process.hrtime.bigint() - start);
    }
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
    batch: BATCH,
    opsPerSec: Math.round(opsPerSec),
    prebuiltOpsPerSec: Math.round(prebuiltOpsPerSec),
    p50Us: round2(p50Us),
    p99Us: round2(p99Us),
    p999Us: round2(p999Us),
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function main(): void {
  console.log(`bench:engine on node ${process.version}, ${ID_FORMAT} ids (BENCH_IDS)`);
  const shared = sharedStream();
  const mix = realisticMix();
  console.log(
    JSON.stringify({
      seed: SEED,
      node: process.version,
      ids: ID_FORMAT,
      sharedStream: shared,
      realisticMix: mix,
    }),
  );
}

main();
