#!/usr/bin/env node
// The README's test command (`npm test`): installs dependencies if missing, brings up what the
// tests need (PostgreSQL and Redis from the machine, a local Kafka broker), builds, runs the
// static checks and every jest project, and ends with "N passed, N failed". Exits non-zero on
// any failure. Extra arguments go to jest (e.g. `npm test -- --selectProjects unit`). On a
// machine whose Node.js is older than 24 it runs on the pinned Node.js 24 (lib/node-runtime.mjs),
// and so do jest, its workers and every service the tests start.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROOT,
  ensureInstalled,
  ensureKafka,
  ensurePostgres,
  ensureRedis,
  log,
  run,
  stopKafka,
} from './lib/infra.mjs';
import { ensureSupportedNode } from './lib/node-runtime.mjs';

const KAFKA_PORT = Number(process.env.KAFKA_PORT ?? 9092);
const jestArgs = process.argv.slice(2);

async function main() {
  ensureInstalled();
  await ensureSupportedNode();
  await ensurePostgres();
  await ensureRedis();
  const startedKafka = await ensureKafka(KAFKA_PORT);
  process.env.KAFKA_BROKERS ??= `127.0.0.1:${KAFKA_PORT}`;

  const failures = [];
  try {
    const npx = (args) =>
      run(process.execPath, [join(ROOT, 'node_modules/.bin', args[0]), ...args.slice(1)]);
    if (jestArgs.length === 0) {
      log('static checks: typecheck, lint, format');
      if (npx(['tsc', '-p', 'tsconfig.json', '--noEmit']) !== 0) failures.push('typecheck');
      if (npx(['eslint', '.', '--max-warnings', '0']) !== 0) failures.push('lint');
      if (npx(['prettier', '--check', '--log-level', 'warn', '.']) !== 0) failures.push('format');
    }
    log('build');
    if (run(process.execPath, [join(ROOT, 'scripts/build.mjs')]) !== 0) failures.push('build');

    const results = join(ROOT, '.cache/jest-results.json');
    rmSync(results, { force: true });
    log('jest: unit, integration, e2e');
    const status = npx(['jest', '--ci', '--json', `--outputFile=${results}`, ...jestArgs]);
    let passed = 0;
    let failed = 0;
    try {
      const summary = JSON.parse(readFileSync(results, 'utf8'));
      passed = summary.numPassedTests;
      failed = summary.numFailedTests;
      if (summary.numRuntimeErrorTestSuites > 0) failures.push('test suites that failed to run');
    } catch {
      failures.push('jest produced no results');
    }
    if (status !== 0) failures.push('jest');
    if (failures.length > 0) log(`FAILED: ${[...new Set(failures)].join(', ')}`);
    process.stdout.write(`${passed} passed, ${failed} failed\n`);
  } finally {
    if (startedKafka) await stopKafka(KAFKA_PORT);
  }
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.stdout.write('0 passed, 1 failed\n');
  process.exit(1);
});
