// Profiling harness for the matching core: builds the benchmark's streams, then runs only our
// engine over them. With BENCH_CPU_PROFILE=<file> it writes a .cpuprofile of the timed rounds alone
// (not the stream building) and prints self time by function; with the inspector attached some
// samples land in a "dispatch" frame. BENCH_PROFILE=shared|mix|both, BENCH_ROUNDS (5), BENCH_BATCH
// (16: commands decoded from JSON, untimed, just before each batch is applied, as in
// bench-engine.ts; 0 applies the stream built in advance).
//   node -r @swc-node/register bench/engine/profile-engine.ts
import { writeFileSync } from 'fs';
import { Session } from 'inspector';
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';
import { decodeCommand, encodeCommand, EngineCommand, MatchingEngine } from './imports';
import { BENCH_MARKET } from './bench-market';
import { buildRealisticMix } from './realistic-mix';
import { buildSharedStream, toEngineCommands } from './shared-stream';

const SEED = Number(process.env.BENCH_SEED ?? 20_240_601);
const WHICH = process.env.BENCH_PROFILE ?? 'both';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PROFILE = process.env.BENCH_CPU_PROFILE;
const BATCH = Number(process.env.BENCH_BATCH ?? 16);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const streams: [string, EngineCommand[]][] = [];
if (WHICH !== 'mix')
  streams.push([
    'shared',
    toEngineCommands(buildSharedStream(SEED, Number(process.env.BENCH_SHARED_COMMANDS ?? 300_000))),
  ]);
if (WHICH !== 'shared')
  streams.push([
    'mix',
    buildRealisticMix(SEED, Number(process.env.BENCH_MIX_COMMANDS ?? 1_000_000)),
  ]);

// As bench-engine.ts does: one engine that has run a whole stream stays alive for the whole
// run, so that dropping each round's engine does not discard the optimized code.
const keptAlive: MatchingEngine[] = [];
for (const [, commands] of streams) {
  const engine = new MatchingEngine({ markets: [BENCH_MARKET] });
  for (const command of commands) engine.apply(command);
  keptAlive.push(engine);
}

const session = new Session();
session.connect();
const post = (method: string, params?: object): Promise<unknown> =>
  new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );

async function main(): Promise<void> {
  if (PROFILE !== undefined) {
    // One collection before profiling, none per round: a full collection inside the profile
    // would show up as "(garbage collector)" time the engine did not cause.
    gc();
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 100 });
    await post('Profiler.start');
  }
  for (const [name, commands] of streams) {
    const texts = commands.map((command) => JSON.stringify(encodeCommand(command)));
    const rates: number[] = [];
    const cpuRates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (PROFILE === undefined) gc();
      const engine = new MatchingEngine({ markets: [BENCH_MARKET] });
      let trades = 0;
      let seconds = 0;
      let cpuSeconds = 0;
      const batchSize = BATCH > 0 ? BATCH : commands.length;
      for (let first = 0; first < commands.length; first += batchSize) {
        const last = Math.min(commands.length, first + batchSize);
        let batch = commands;
        if (BATCH > 0) {
          batch = new Array<EngineCommand>(last - first);
          for (let i = first; i < last; i++) batch[i - first] = decodeCommand(JSON.parse(texts[i]));
        }
        const cpuStart = process.cpuUsage();
        const start = process.hrtime.bigint();
        for (let i = 0; i < last - first; i++) trades += engine.apply(batch[i]).trades.length;
        seconds += Number(process.hrtime.bigint() - start) / 1e9;
        const cpu = process.cpuUsage(cpuStart);
        cpuSeconds += (cpu.user + cpu.system) / 1e6;
      }
      rates.push(commands.length / seconds);
      cpuRates.push(commands.length / cpuSeconds);
      console.log(
        `${name} round ${round}: ${fmt(commands.length / seconds)} ops/s wall, ` +
          `${fmt(commands.length / cpuSeconds)} ops/s cpu (${trades} trades)`,
      );
    }
    console.log(
      `${name} median ${fmt(median(rates))} ops/s wall, ${fmt(median(cpuRates))} ops/s cpu; ` +
        `best ${fmt(Math.max(...rates))} wall, ${fmt(Math.max(...cpuRates))} cpu`,
    );
  }
  if (PROFILE !== undefined) {
    const { profile } = (await post('Profiler.stop')) as { profile: CpuProfile };
    writeFileSync(PROFILE, JSON.stringify(profile));
    printSelfTime(profile);
  }
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time by function (name, file, line), the 25 largest, as a share of all samples. */
function printSelfTime(profile: CpuProfile): void {
  const nameOf = new Map<number, string>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.split('/').slice(-2).join('/');
    nameOf.set(node.id, `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`);
  }
  const selfTime = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const name = nameOf.get(profile.samples[i]) ?? '?';
    const delta = profile.timeDeltas[i] ?? 0;
    selfTime.set(name, (selfTime.get(name) ?? 0) + delta);
    total += delta;
  }
  const top = [...selfTime].sort((a, b) => b[1] - a[1]).slice(0, 25);
  for (const [name, micros] of top)
    console.log(`${((100 * micros) / total).toFixed(1).padStart(5)} %  ${name}`);
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

void main();
