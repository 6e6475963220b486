#!/usr/bin/env node
// The README's start command (`npm run up`): installs dependencies if missing, uses the
// machine's PostgreSQL and Redis, starts Kafka, migrates and seeds, creates the topics, builds,
// and starts gateway, order-service, two matching engines (active and standby) and market-data.
// Prints the URLs; Ctrl-C (or SIGTERM) stops every service and the broker it started.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  ROOT,
  ensureInstalled,
  ensureKafka,
  ensurePostgres,
  ensureRedis,
  log,
  run,
  runTs,
  stopKafka,
} from './lib/infra.mjs';

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

const children = [];
let stopping = false;
let startedKafka = false;

function startService(service) {
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
  child.on('exit', (code, signal) => {
    if (!stopping) log(`${service.name} exited (code ${code}, signal ${signal})`);
  });
  children.push(child);
  return child;
}

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

async function stopAll() {
  if (stopping) return;
  stopping = true;
  log('stopping services');
  const exits = children
    .filter((child) => child.exitCode === null && child.signalCode === null)
    .map((child) => new Promise((r) => child.once('exit', r)));
  for (const child of children) child.kill('SIGTERM');
  const timer = setTimeout(() => children.forEach((child) => child.kill('SIGKILL')), 15_000);
  await Promise.all(exits);
  clearTimeout(timer);
  if (startedKafka) {
    log('stopping Kafka');
    await stopKafka(KAFKA_PORT);
  }
  log('stopped');
}

async function main() {
  ensureInstalled();
  await ensurePostgres();
  await ensureRedis();
  startedKafka = await ensureKafka(KAFKA_PORT);
  const onSignal = () => stopAll().then(() => process.exit(0));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const infraEnv = { ...shared };
  if (runTs('scripts/migrate.ts', ['seed'], infraEnv) !== 0)
    throw new Error('migration or seed failed');
  if (runTs('scripts/topics.ts', [], infraEnv) !== 0) throw new Error('topic creation failed');
  if (run(process.execPath, [join(ROOT, 'scripts/build.mjs')]) !== 0)
    throw new Error('build failed');

  for (const service of services) startService(service);
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
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

main().catch(async (error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  await stopAll();
  process.exit(1);
});
