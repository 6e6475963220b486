#!/usr/bin/env node
// Local Apache Kafka for development and tests: one KRaft broker (broker + controller in one JVM)
// on loopback, from jars that Maven fetches once into .cache/kafka/<version>/libs.
//
//   node scripts/kafka.mjs start|stop|status|restart|wipe [--port 9092] [--controller-port 9093]
//                                                        [--data-dir DIR] [--heap 512m]
//
// Node built-ins only: this runs before npm dependencies exist in some paths. Other scripts
// import the same functions (startKafka, stopKafka, ...); the CLI runs only when this file is
// the entry point. See infra/kafka/README.md.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const POM_PATH = path.join(REPO_ROOT, 'infra/kafka/pom.xml');
const LOG4J_PATH = path.join(REPO_ROOT, 'infra/kafka/log4j.properties');
const CACHE_ROOT = path.join(REPO_ROOT, '.cache/kafka');
const HOST = '127.0.0.1';

/** A cold JVM on two cores formats and starts in ~10 s; 90 s leaves room for a busy machine. */
const START_TIMEOUT_MS_DEFAULT = 90_000;
/** A single-node controlled shutdown takes a few seconds; after this we SIGKILL. */
const STOP_TIMEOUT_MS_DEFAULT = 30_000;
/** How long one readiness probe (connect + Metadata round trip) may take. */
const PROBE_TIMEOUT_MS = 2_000;
/** Maven fetches ~100 jars; a slow mirror can take minutes, a stuck one should not hang CI. */
const FETCH_TIMEOUT_MS = 600_000;
/** Lines of broker log shown when a start fails. */
const LOG_TAIL_LINES = 40;

/** The pinned Kafka version, read from the pom so there is one place to bump it. */
export function kafkaVersion() {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(fs.readFileSync(POM_PATH, 'utf8'));
  if (!match) throw new Error(`no <kafka.version> in ${POM_PATH}`);
  return match[1].trim();
}

/**
 * Fills in defaults from flags, then env, then built-ins:
 * KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (port + 1), KAFKA_DATA_DIR
 * (.cache/kafka/<port>/data), KAFKA_HEAP (512m).
 */
export function resolveKafkaOptions(opts = {}, env = process.env) {
  const port = toPort(opts.port ?? env.KAFKA_PORT ?? 9092, 'port');
  const controllerPort = toPort(
    opts.controllerPort ?? env.KAFKA_CONTROLLER_PORT ?? port + 1,
    'controller port',
  );
  if (controllerPort === port)
    throw new Error('the controller port must differ from the broker port');
  const dir = path.join(CACHE_ROOT, String(port));
  const dataDir = path.resolve(opts.dataDir ?? env.KAFKA_DATA_DIR ?? path.join(dir, 'data'));
  const heap = String(opts.heap ?? env.KAFKA_HEAP ?? '512m');
  if (!/^\d+[kmg]?$/i.test(heap)) throw new Error(`bad heap size ${heap} (expected e.g. 512m)`);
  return {
    port,
    controllerPort,
    dir,
    dataDir,
    heap,
    brokers: `${HOST}:${port}`,
    pidFile: path.join(dir, 'kafka.pid'),
    logFile: path.join(dir, 'server.log'),
    stdoutFile: path.join(dir, 'stdout.log'),
    propertiesFile: path.join(dir, 'server.properties'),
    startTimeoutMs: Number(opts.startTimeoutMs ?? START_TIMEOUT_MS_DEFAULT),
    stopTimeoutMs: Number(opts.stopTimeoutMs ?? STOP_TIMEOUT_MS_DEFAULT),
    log: opts.log ?? ((line) => console.log(`[kafka] ${line}`)),
  };
}

/**
 * Starts the broker if nothing answers on the port yet, and waits until it answers a Metadata
 * request with itself as a live broker. Reuses a broker that already answers.
 * @returns {Promise<{brokers: string, port: number, pid: number|null, reused: boolean, ms: number}>}
 */
export async function startKafka(opts = {}) {
  const o = resolveKafkaOptions(opts);
  const t0 = Date.now();
  fs.mkdirSync(o.dir, { recursive: true });
  return withLock(path.join(o.dir, 'start.lock'), o.startTimeoutMs, async () => {
    if ((await probeKafka({ port: o.port })).ready) {
      const pid = ownedPid(o);
      o.log(
        `broker already answers on ${o.brokers}${pid ? ` (pid ${pid})` : ' (not started by this script)'}; reusing it`,
      );
      return { brokers: o.brokers, port: o.port, pid, reused: true, ms: Date.now() - t0 };
    }
    let pid = ownedPid(o);
    if (pid === null) {
      const libs = await ensureJars(o.log);
      writeServerProperties(o);
      formatStorageIfNeeded(o, libs);
      pid = launchBroker(o, libs);
      o.log(`started broker pid ${pid} on ${o.brokers}, waiting until it is ready`);
    } else {
      o.log(`broker pid ${pid} is running but not ready yet, waiting`);
    }
    await waitUntilReady(o, pid, t0);
    const ms = Date.now() - t0;
    o.log(`ready on ${o.brokers} after ${ms} ms`);
    return { brokers: o.brokers, port: o.port, pid, reused: false, ms };
  });
}

/**
 * Stops the broker this script started on the port: SIGTERM, then SIGKILL after stopTimeoutMs.
 * A broker that answers but has no pid file was started elsewhere and is left alone.
 * @returns {Promise<{stopped: boolean, foreign: boolean}>}
 */
export async function stopKafka(opts = {}) {
  const o = resolveKafkaOptions(opts);
  const pid = ownedPid(o);
  if (pid === null) {
    fs.rmSync(o.pidFile, { force: true });
    const foreign = (await probeKafka({ port: o.port })).ready;
    o.log(
      foreign
        ? `a broker answers on ${o.brokers} but was not started by this script; left running`
        : `not running on ${o.brokers}`,
    );
    return { stopped: false, foreign };
  }
  o.log(`stopping broker pid ${pid}`);
  process.kill(pid, 'SIGTERM');
  if (!(await waitForExit(pid, o.stopTimeoutMs))) {
    o.log(`pid ${pid} still alive after ${o.stopTimeoutMs} ms, sending SIGKILL`);
    process.kill(pid, 'SIGKILL');
    if (!(await waitForExit(pid, 5_000))) throw new Error(`pid ${pid} survived SIGKILL`);
  }
  fs.rmSync(o.pidFile, { force: true });
  o.log('stopped');
  return { stopped: true, foreign: false };
}

/** Stops and starts the broker on the same data, e.g. for broker-restart failure tests. */
export async function restartKafka(opts = {}) {
  const o = resolveKafkaOptions(opts);
  const { foreign } = await stopKafka(o);
  if (foreign) throw new Error(`cannot restart ${o.brokers}: it was not started by this script`);
  return startKafka(o);
}

/** Stops the broker (if ours) and deletes its data directory: topics, offsets, cluster id. */
export async function wipeKafka(opts = {}) {
  const o = resolveKafkaOptions(opts);
  const { foreign } = await stopKafka(o);
  if (foreign)
    throw new Error(
      `refusing to wipe ${o.dataDir}: a broker not started by this script answers on ${o.brokers}`,
    );
  fs.rmSync(o.dataDir, { recursive: true, force: true });
  o.log(`wiped ${o.dataDir}`);
}

/** @returns {Promise<{brokers: string, pid: number|null, ready: boolean, dataDir: string, logFile: string, error?: string}>} */
export async function kafkaStatus(opts = {}) {
  const o = resolveKafkaOptions(opts);
  const probe = await probeKafka({ port: o.port });
  return {
    brokers: o.brokers,
    pid: ownedPid(o),
    ready: probe.ready,
    dataDir: o.dataDir,
    logFile: o.logFile,
    error: probe.error,
  };
}

/**
 * Sends one raw Kafka Metadata (v1) request and reports whether the broker lists at least one
 * live broker. An open port is not enough: a KRaft broker binds its listener before it has
 * caught up with the metadata log and registered itself.
 * @returns {Promise<{ready: boolean, brokers?: Array<{nodeId: number, host: string, port: number}>, error?: string}>}
 */
export function probeKafka({ host = HOST, port, timeoutMs = PROBE_TIMEOUT_MS }) {
  return new Promise((resolve) => {
    const correlationId = 1 + Math.floor(Math.random() * 1e6);
    const socket = net.createConnection({ host, port });
    let buf = Buffer.alloc(0);
    let settled = false;
    const done = (result) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done({ ready: false, error: 'timeout' }));
    socket.on('error', (err) => done({ ready: false, error: err.code ?? err.message }));
    socket.on('close', () => done({ ready: false, error: 'connection closed' }));
    socket.on('connect', () => socket.write(encodeMetadataRequest(correlationId)));
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return;
      try {
        const brokers = decodeMetadataBrokers(
          buf.subarray(4, 4 + buf.readInt32BE(0)),
          correlationId,
        );
        done({
          ready: brokers.length > 0,
          brokers,
          error: brokers.length ? undefined : 'no live brokers yet',
        });
      } catch (err) {
        done({ ready: false, error: err.message });
      }
    });
  });
}

function encodeMetadataRequest(correlationId) {
  const clientId = Buffer.from('kafka.mjs');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4);
  let at = body.writeInt16BE(3, 0); // api key: Metadata
  at = body.writeInt16BE(1, at); // api version 1
  at = body.writeInt32BE(correlationId, at);
  at = body.writeInt16BE(clientId.length, at);
  at += clientId.copy(body, at);
  body.writeInt32BE(0, at); // empty topic list: brokers only
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

function decodeMetadataBrokers(frame, correlationId) {
  if (frame.readInt32BE(0) !== correlationId) throw new Error('correlation id mismatch');
  let at = 4;
  const count = frame.readInt32BE(at);
  at += 4;
  const brokers = [];
  for (let i = 0; i < count; i++) {
    const nodeId = frame.readInt32BE(at);
    const hostLen = frame.readInt16BE(at + 4);
    const host = frame.toString('utf8', at + 6, at + 6 + hostLen);
    at += 6 + hostLen;
    const port = frame.readInt32BE(at);
    const rackLen = frame.readInt16BE(at + 4);
    at += 6 + Math.max(rackLen, 0);
    brokers.push({ nodeId, host, port });
  }
  return brokers;
}

/** Copies the broker jars once; a stamp holding the pom's hash marks a complete copy. */
async function ensureJars(log) {
  const pom = fs.readFileSync(POM_PATH);
  const pomSha256 = createHash('sha256').update(pom).digest('hex');
  const versionDir = path.join(CACHE_ROOT, kafkaVersion());
  const libs = path.join(versionDir, 'libs');
  const stampFile = path.join(versionDir, 'libs.stamp.json');
  const isFresh = () => readJson(stampFile)?.pomSha256 === pomSha256 && fs.existsSync(libs);
  if (isFresh()) return libs;
  fs.mkdirSync(versionDir, { recursive: true });
  return withLock(path.join(versionDir, 'fetch.lock'), FETCH_TIMEOUT_MS, async () => {
    if (isFresh()) return libs;
    const tmp = `${libs}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    log(`fetching Kafka ${kafkaVersion()} jars with Maven into ${path.relative(REPO_ROOT, libs)}`);
    const t0 = Date.now();
    const args = [
      '-q',
      '-B',
      '-f',
      POM_PATH,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${tmp}`,
      '-DincludeScope=runtime',
    ];
    const res = spawnSync('mvn', args, { encoding: 'utf8', timeout: FETCH_TIMEOUT_MS });
    if (res.error || res.status !== 0) {
      fs.rmSync(tmp, { recursive: true, force: true });
      const detail = res.error?.message ?? `${res.stdout}\n${res.stderr}`.trim();
      throw new Error(`mvn ${args.join(' ')} failed (exit ${res.status}):\n${detail}`);
    }
    const jars = fs.readdirSync(tmp).filter((f) => f.endsWith('.jar'));
    if (!jars.some((f) => f.startsWith('kafka_')))
      throw new Error(`mvn copied no kafka_ jar into ${tmp}`);
    fs.rmSync(libs, { recursive: true, force: true });
    fs.renameSync(tmp, libs);
    fs.writeFileSync(
      stampFile,
      JSON.stringify({ kafkaVersion: kafkaVersion(), pomSha256, jars: jars.length }, null, 2),
    );
    log(`fetched ${jars.length} jars in ${Date.now() - t0} ms`);
    return libs;
  });
}

/** Written on every start, so port or data dir changes take effect; the data itself is kept. */
function writeServerProperties(o) {
  const props = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@${HOST}:${o.controllerPort}`,
    listeners: `PLAINTEXT://${HOST}:${o.port},CONTROLLER://${HOST}:${o.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${HOST}:${o.port}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': o.dataDir,
    // Topics are created explicitly with their contract's partition count (libs/messaging).
    'auto.create.topics.enable': false,
    'num.partitions': 1,
    'delete.topic.enable': true,
    // One broker: every internal topic has one replica. Fewer internal partitions make the
    // first group join and first transaction fast; tests create and drop many groups.
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 10,
    'group.initial.rebalance.delay.ms': 0,
    // Abort transactions of crashed producers soon after their timeout (default check: 10 s).
    'transaction.abort.timed.out.transaction.cleanup.interval.ms': 2_000,
    // Two cores: keep the thread pools small.
    'num.network.threads': 2,
    'num.io.threads': 4,
    'background.threads': 4,
    'num.recovery.threads.per.data.dir': 2,
    'log.retention.hours': 24,
    'log.segment.bytes': 64 * 1024 * 1024,
  };
  const text = Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  fs.writeFileSync(o.propertiesFile, `# Written by scripts/kafka.mjs on every start.\n${text}\n`);
}

function formatStorageIfNeeded(o, libs) {
  if (fs.existsSync(path.join(o.dataDir, 'meta.properties'))) return;
  fs.mkdirSync(o.dataDir, { recursive: true });
  const args = [
    ...jvmLogArgs(o),
    '-cp',
    path.join(libs, '*'),
    'kafka.tools.StorageTool',
    'format',
    '-t',
    newClusterId(),
    '-c',
    o.propertiesFile,
  ];
  const res = spawnSync(javaBin(), args, { encoding: 'utf8', timeout: 60_000 });
  if (res.error || res.status !== 0) {
    throw new Error(
      `formatting ${o.dataDir} failed (exit ${res.status}):\n${res.error?.message ?? `${res.stdout}\n${res.stderr}`}`,
    );
  }
  o.log(`formatted ${path.relative(REPO_ROOT, o.dataDir) || o.dataDir}`);
}

/** Kafka's Uuid.randomUuid(): 16 random bytes, url-safe base64, never starting with '-'. */
function newClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function launchBroker(o, libs) {
  const out = fs.openSync(o.stdoutFile, 'a');
  const args = [
    '-Xms128m',
    `-Xmx${o.heap}`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    ...jvmLogArgs(o),
    '-cp',
    path.join(libs, '*'),
    'kafka.Kafka',
    o.propertiesFile,
  ];
  // Detached into its own process group, so the broker outlives this script and a Ctrl-C here.
  const child = spawn(javaBin(), args, { detached: true, stdio: ['ignore', out, out], cwd: o.dir });
  fs.closeSync(out);
  child.unref();
  fs.writeFileSync(o.pidFile, String(child.pid));
  return child.pid;
}

function jvmLogArgs(o) {
  return [`-Dlog4j.configuration=file:${LOG4J_PATH}`, `-Dkafka.logs.dir=${o.dir}`];
}

async function waitUntilReady(o, pid, t0) {
  let last = {};
  while (Date.now() - t0 < o.startTimeoutMs) {
    if (!isAlive(pid)) {
      fs.rmSync(o.pidFile, { force: true });
      throw new Error(`broker pid ${pid} exited during start\n${logTails(o)}`);
    }
    last = await probeKafka({ port: o.port });
    if (last.ready) return;
    await sleep(250);
  }
  throw new Error(
    `broker on ${o.brokers} not ready after ${o.startTimeoutMs} ms (last probe: ${last.error}); pid ${pid} left running\n${logTails(o)}`,
  );
}

function logTails(o) {
  return [o.logFile, o.stdoutFile]
    .filter((f) => fs.existsSync(f))
    .map(
      (f) =>
        `--- last lines of ${f} ---\n${fs.readFileSync(f, 'utf8').trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n')}`,
    )
    .join('\n');
}

/** The pid from the pid file if that process is alive and is our broker; otherwise null. */
function ownedPid(o) {
  const pid = Number(readText(o.pidFile));
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return null;
  const cmdline = readText(`/proc/${pid}/cmdline`);
  // Without /proc (macOS) trust the pid file; with it, guard against a recycled pid.
  if (cmdline !== null && !(cmdline.includes('kafka.Kafka') && cmdline.includes(o.propertiesFile)))
    return null;
  return pid;
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

async function waitForExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return !isAlive(pid);
}

/** An exclusive lock file holding the owner's pid; a dead owner's lock is taken over. */
async function withLock(lockFile, timeoutMs, fn) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const owner = Number(readText(lockFile));
      if (!Number.isInteger(owner) || owner <= 0 || !isAlive(owner)) {
        fs.rmSync(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`${lockFile} held by pid ${owner} for over ${timeoutMs} ms`);
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

function javaBin() {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin/java') : 'java';
}

function toPort(value, what) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`bad ${what}: ${value}`);
  return n;
}

function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function readJson(file) {
  const text = readText(file);
  try {
    return text === null ? null : JSON.parse(text);
  } catch {
    return null;
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function parseFlags(argv) {
  const names = {
    '--port': 'port',
    '--controller-port': 'controllerPort',
    '--data-dir': 'dataDir',
    '--heap': 'heap',
  };
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const key = names[flag];
    if (!key) throw new Error(`unknown option ${argv[i]}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    opts[key] = value;
  }
  return opts;
}

async function main(argv) {
  const [command, ...rest] = argv;
  const opts = parseFlags(rest);
  switch (command) {
    case 'start':
      await startKafka(opts);
      return 0;
    case 'stop': {
      const { foreign } = await stopKafka(opts);
      return foreign ? 1 : 0;
    }
    case 'restart':
      await restartKafka(opts);
      return 0;
    case 'wipe':
      await wipeKafka(opts);
      return 0;
    case 'status': {
      const s = await kafkaStatus(opts);
      const owner = s.pid ? `pid ${s.pid}` : 'no pid file';
      console.log(
        `[kafka] ${s.brokers}: ${s.ready ? 'ready' : `not ready (${s.error})`}, ${owner}, data ${s.dataDir}, log ${s.logFile}`,
      );
      return s.ready ? 0 : 3;
    }
    default:
      console.error(
        'usage: node scripts/kafka.mjs start|stop|status|restart|wipe [--port N] [--controller-port N] [--data-dir DIR] [--heap 512m]',
      );
      return 2;
  }
}

const invokedDirectly =
  process.argv[1] &&
  fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`[kafka] ${err.message}`);
      process.exit(1);
    },
  );
}
