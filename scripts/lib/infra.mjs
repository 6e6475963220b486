// Shared steps of the README's two commands (`npm run up`, `npm test`): install dependencies,
// make sure PostgreSQL and Redis answer, start Kafka. Node built-ins only: this runs before
// node_modules may exist.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** How long to wait for PostgreSQL or Redis after asking the machine to start them. */
const SERVICE_START_WAIT_MS = 20_000;

export function log(message) {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

/** `npm ci` when node_modules is missing or older than the lockfile. */
export function ensureInstalled() {
  const marker = join(ROOT, 'node_modules/.package-lock.json');
  const lock = join(ROOT, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  log('installing dependencies (npm ci)');
  if (Number(process.versions.node.split('.')[0]) < 24)
    log(
      `npm warns below that Node.js ${process.version} is older than the engines want; ` +
        'the command then runs on the pinned Node.js 24 it installs',
    );
  const status = run('npm', ['ci', '--no-audit', '--no-fund']);
  if (status !== 0) throw new Error(`npm ci failed with exit code ${status}`);
}

export function portAnswers(port, host = '127.0.0.1', timeoutMs = 1_000) {
  return new Promise((resolveAnswer) => {
    const socket = connect({ port, host });
    const done = (answer) => {
      socket.destroy();
      resolveAnswer(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portAnswers(port)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/**
 * Uses the machine's PostgreSQL when it answers; otherwise tries to start the Debian cluster
 * (as this kind of machine is set up) and fails with a clear message if that is not possible.
 */
export async function ensurePostgres(port = 5432) {
  if (await portAnswers(port)) return;
  log(`PostgreSQL does not answer on ${port}; trying to start the local cluster`);
  const versions = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : [];
  for (const version of versions) {
    run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], {
      stdio: 'ignore',
    });
  }
  if (!(await waitForPort(port, SERVICE_START_WAIT_MS))) {
    throw new Error(`PostgreSQL is not reachable on 127.0.0.1:${port}; start it and retry`);
  }
}

/** Uses the machine's Redis when it answers; otherwise starts a non-persistent one. */
export async function ensureRedis(port = 6379) {
  if (await portAnswers(port)) return;
  log(`Redis does not answer on ${port}; starting redis-server`);
  run(
    'redis-server',
    [
      '--daemonize',
      'yes',
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    { stdio: 'ignore' },
  );
  if (!(await waitForPort(port, SERVICE_START_WAIT_MS))) {
    throw new Error(`Redis is not reachable on 127.0.0.1:${port}; start it and retry`);
  }
}

/** Starts (or reuses) the local Kafka broker; returns whether this call started it. */
export async function ensureKafka(port) {
  const { startKafka } = await import('../kafka.mjs');
  const { reused } = await startKafka({ port });
  return !reused;
}

/** Whether the broker that scripts/kafka.mjs started on the port is still running. */
export async function kafkaRunning(port) {
  const { kafkaStatus } = await import('../kafka.mjs');
  return (await kafkaStatus({ port })).pid !== null;
}

export async function stopKafka(port) {
  const { stopKafka: stop } = await import('../kafka.mjs');
  await stop({ port });
}

/** Stops the local broker (if this script started it) and deletes its data directory. */
export async function wipeKafka(port) {
  const { wipeKafka: wipe } = await import('../kafka.mjs');
  await wipe({ port });
}

/** Runs a TypeScript script of the repository (migrations, seed, topics) with swc. */
export function runTs(script, args = [], env = {}) {
  return run(process.execPath, ['-r', '@swc-node/register', join(ROOT, script), ...args], {
    env: { ...process.env, ...env },
  });
}
