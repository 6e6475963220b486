#!/usr/bin/env node
// The README's start command (`npm run up`): installs dependencies if missing, uses the
// machine's PostgreSQL and Redis, starts Kafka, migrates and seeds, creates the topics, checks
// that the database and the Kafka log belong to one exchange (binding them when both are fresh),
// builds, and starts gateway, order-service, two matching engines (active and standby) and
// market-data. Prints the URLs. It supervises what it started (lib/supervisor.mjs): a service,
// engine or broker that exits is restarted with a back-off and logged; a service that refuses
// for a reason a restart cannot fix (exit 65 below, 78 for a configuration error) stops
// everything, and `up` exits with its code. SIGINT, SIGTERM or SIGHUP, to `up` or to a wrapper
// that forwards them (npm, the pinned Node.js launcher), or the end of the process that started
// it, stops every service and the broker it started.
//
// When the database and the log are from different lives of the exchange (say the database was
// dropped while the broker kept its data), it prints why and exits 65 before starting anything.
// `npm run up -- --reset` then starts a clean exchange: it stops the local broker and deletes its
// data (KAFKA_DATA_DIR, by default .cache/kafka/<port>/data), drops the database DATABASE_URL
// names, and goes on as above. Everything in both is lost. It refuses to wipe a broker that
// scripts/kafka.mjs did not start.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  ROOT,
  ensureInstalled,
  ensureKafka,
  ensurePostgres,
  ensureRedis,
  kafkaRunning,
  log,
  run,
  runTs,
  stopKafka,
  wipeKafka,
} from './lib/infra.mjs';
import { ensureSupportedNode } from './lib/node-runtime.mjs';
import { Supervisor, watchParent } from './lib/supervisor.mjs';

const env = (name, fallback) => process.env[name] ?? fallback;
const KAFKA_PORT = Number(env('KAFKA_PORT', '9092'));
const PORTS = {
  gateway: Number(env('GATEWAY_PORT', '3000')),
  orderService: Number(env('ORDER_SERVICE_PORT', '3001')),
  engineA: Number(env('ENGINE_A_PORT', '3002')),
  engineB: Number(env('ENGINE_B_PORT', '3003')),
  marketData: Number(env('MARKET_DATA_PORT', '3004')),
};
const shared = {
  DATABASE_URL: env('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/exchange'),
  REDIS_URL: env('REDIS_URL', 'redis://127.0.0.1:6379'),
  KAFKA_BROKERS: env('KAFKA_BROKERS', `127.0.0.1:${KAFKA_PORT}`),
  LOG_LEVEL: env('LOG_LEVEL', 'info'),
};
/** Bound on how long one service may take to become ready before `up` gives up. */
const READY_TIMEOUT_MS = 60_000;
/**
 * Exit code of a service (and of scripts/exchange-identity.ts) that found the database and the
 * Kafka log to belong to different exchanges: EXCHANGE_IDENTITY_MISMATCH_EXIT_CODE in
 * libs/exchange-identity (a unit test keeps the two equal). Restarting cannot fix that.
 */
const IDENTITY_MISMATCH_EXIT_CODE = 65;
/** Exit code of a service whose configuration is invalid (libs/platform bootstrap, EX_CONFIG). */
const CONFIG_ERROR_EXIT_CODE = 78;
const USAGE = 'usage: npm run up [-- --reset]';

const services = [
  { name: 'order-service', app: 'order-service', port: PORTS.orderService, env: {} },
  {
    name: 'engine-a',
    app: 'matching-engine',
    port: PORTS.engineA,
    env: { ENGINE_INSTANCE_ID: 'engine-a' },
  },
  {
    name: 'engine-b',
    app: 'matching-engine',
    port: PORTS.engineB,
    env: { ENGINE_INSTANCE_ID: 'engine-b' },
  },
  { name: 'market-data', app: 'market-data', port: PORTS.marketData, env: {} },
  {
    name: 'gateway',
    app: 'gateway',
    port: PORTS.gateway,
    env: {
      ORDER_SERVICE_URL: `http://127.0.0.1:${PORTS.orderService}`,
      MARKET_DATA_URL: `http://127.0.0.1:${PORTS.marketData}`,
    },
  },
];

const supervisor = new Supervisor({
  log,
  fatalExitCodes: new Map([
    [
      IDENTITY_MISMATCH_EXIT_CODE,
      'the database and the Kafka log belong to different exchanges (see its fatal line); ' +
        'run `npm run up -- --reset` for a clean exchange',
    ],
    [CONFIG_ERROR_EXIT_CODE, 'its configuration is invalid (see its message above)'],
  ]),
  onFatal: (exitCode) => void supervisor.stop().then(() => finish(exitCode)),
});

/** Logs the end and exits; `up` ends only through here once the supervisor has stopped all. */
function finish(exitCode) {
  log('stopped');
  process.exit(exitCode);
}

function spawnService(service) {
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', join(ROOT, 'dist/apps', service.app, 'src/main.js')],
    {
      cwd: ROOT,
      env: { ...process.env, ...shared, ...service.env, PORT: String(service.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const prefix = `${service.name.padEnd(13)}| `;
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.on('data', (chunk) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(prefix + line + '\n');
    });
  }
  return child;
}

/** Waits until the service answers ready; a crash meanwhile is the supervisor's to restart. */
async function waitReady(service) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${service.port}/health/ready`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${service.name} was not ready within ${READY_TIMEOUT_MS} ms`);
}

/** An error `up` exits with, with the exit code to use (1 unless given). */
class UpError extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

function parseArgs(argv) {
  const unknown = argv.filter((arg) => arg !== '--reset');
  if (unknown.length > 0) throw new UpError(`unknown option ${unknown.join(' ')}; ${USAGE}`, 2);
  return { reset: argv.includes('--reset') };
}

/**
 * `--reset`: the broker's data and the database go together, so that what comes up is one fresh
 * exchange. The broker first: wipeKafka refuses a broker it did not start, and then nothing has
 * been deleted yet.
 */
async function resetExchange(infraEnv) {
  log('--reset: stopping the local Kafka broker and deleting its data');
  await wipeKafka(KAFKA_PORT);
  log(`--reset: dropping the database ${new URL(infraEnv.DATABASE_URL).pathname.slice(1)}`);
  if (runTs('scripts/migrate.ts', ['drop'], infraEnv) !== 0)
    throw new UpError('dropping the database failed');
}

async function main() {
  const { reset } = parseArgs(process.argv.slice(2));
  ensureInstalled();
  await ensureSupportedNode();
  await ensurePostgres();
  await ensureRedis();
  const infraEnv = { ...shared };
  if (reset) await resetExchange(infraEnv);
  // `on`, not `once`: a Ctrl-C may arrive twice (from the terminal and forwarded by the pinned
  // Node.js launcher, or from npm), and the second must not end `up` before it has stopped what
  // it started.
  const onSignal = (signal) => {
    if (supervisor.stopped) return;
    log(`${signal}: stopping everything`);
    void supervisor.stop().then(() => finish(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  watchParent(() => onSignal('the process that started `up` is gone'));
  if (await ensureKafka(KAFKA_PORT)) {
    // A broker that answered already is someone else's: neither restarted nor stopped here.
    supervisor.addExternal('kafka', {
      isAlive: () => kafkaRunning(KAFKA_PORT),
      start: () => ensureKafka(KAFKA_PORT),
      stop: () => stopKafka(KAFKA_PORT),
    });
  }

  if (runTs('scripts/migrate.ts', ['seed'], infraEnv) !== 0)
    throw new Error('migration or seed failed');
  if (runTs('scripts/topics.ts', [], infraEnv) !== 0) throw new Error('topic creation failed');
  // The same check every service runs at boot, once here, so that a database and a log from
  // different lives stop `up` with one message instead of several refusing services.
  const identity = runTs('scripts/exchange-identity.ts', [], infraEnv);
  if (identity === IDENTITY_MISMATCH_EXIT_CODE)
    throw new UpError(
      'not starting: the database and the Kafka log belong to different exchanges (above). ' +
        '`npm run up -- --reset` deletes both and starts a clean exchange.',
      IDENTITY_MISMATCH_EXIT_CODE,
    );
  if (identity !== 0) throw new Error('the exchange identity check failed');
  if (run(process.execPath, [join(ROOT, 'scripts/build.mjs')]) !== 0)
    throw new Error('build failed');

  for (const service of services) supervisor.addChild(service.name, () => spawnService(service));
  await Promise.all(services.map(waitReady));
  const url = (port) => `http://127.0.0.1:${port}`;
  log('the exchange is up:');
  process.stdout.write(
    [
      `  gateway                  ${url(PORTS.gateway)}  (health and metrics; proxying is not built yet)`,
      `  order-service API        ${url(PORTS.orderService)}/api/v1  Swagger: ${url(PORTS.orderService)}/docs`,
      `  matching-engine A / B    ${url(PORTS.engineA)}/health/live  ${url(PORTS.engineB)}/health/live`,
      `  market-data              ${url(PORTS.marketData)}`,
      `  metrics                  <any service>/metrics`,
      '  A service, engine or the broker that exits is restarted. Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

main().catch(async (error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  await supervisor.stop();
  finish(error instanceof UpError ? error.exitCode : 1);
});
