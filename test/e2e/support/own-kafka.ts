// A Kafka broker of one test's own (for broker-restart tests: the shared broker on 9092 must
// never be restarted). scripts/kafka.mjs is ESM, which jest's module runtime cannot import, so
// each call runs in a small `node` child that imports it.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, REPO_ROOT } from '@app/testing';

async function runKafkaScript(fn: 'startKafka' | 'stopKafka' | 'restartKafka', opts: object) {
  const script = `
    import { ${fn} } from ${JSON.stringify(join(REPO_ROOT, 'scripts/kafka.mjs'))};
    const result = await ${fn}({ ...${JSON.stringify(opts)}, log: (l) => console.error(l) });
    console.log(JSON.stringify(result));`;
  return new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`${fn} failed (${code}):\n${err}`)),
    );
  });
}

export interface OwnKafka {
  readonly brokers: string;
  /** Controlled stop and start on the same data (topics, offsets and transactions survive). */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** Stops the broker and deletes its data and working directory. */
  destroy(): Promise<void>;
}

/** Starts a fresh single-node KRaft broker on free loopback ports with its data in a temp dir. */
export async function startOwnKafka(label: string): Promise<OwnKafka> {
  const port = await freePort();
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  const dataDir = join(tmpdir(), `e2e-kafka-${label}-${port}`);
  const opts = { port, controllerPort, dataDir, heap: '384m' };
  await runKafkaScript('startKafka', opts);
  return {
    brokers: `127.0.0.1:${port}`,
    restart: async () => {
      await runKafkaScript('restartKafka', opts);
    },
    stop: async () => {
      await runKafkaScript('stopKafka', opts);
    },
    destroy: async () => {
      await runKafkaScript('stopKafka', opts).catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(join(REPO_ROOT, '.cache/kafka', String(port)), { recursive: true, force: true });
    },
  };
}
