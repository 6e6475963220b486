import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/** Repository root, from this file's place in it (works from src and from dist). */
export const REPO_ROOT = resolve(__dirname, '../../..').replace(/\/dist$/, '');

/** Longest a service may take from spawn to a green /health/ready in a test. */
export const SERVICE_READY_TIMEOUT_MS = 30_000;

/** Lines of a child's output kept for failure messages. */
const LOG_LINES_KEPT_MAX = 400;

export type ServiceName = 'gateway' | 'order-service' | 'matching-engine' | 'market-data';

export interface StartServiceOptions {
  readonly service: ServiceName;
  /** Environment on top of the test process's own and PORT (from `port`). */
  readonly env?: Record<string, string>;
  /** Port to listen on; a free one is picked when omitted. */
  readonly port?: number;
  /** Wait for /health/ready to answer 200 (default true). */
  readonly waitReady?: boolean;
  readonly readyTimeoutMs?: number;
}

/** A service running as a real child process, with the controls failure tests need. */
export class ServiceProcess {
  private readonly lines: string[] = [];
  private readonly lineListeners = new Set<(line: string) => void>();
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitStatus: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(
    readonly service: ServiceName,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.length === 0) continue;
        this.lines.push(line);
        if (this.lines.length > LOG_LINES_KEPT_MAX) this.lines.shift();
        for (const listener of this.lineListeners) listener(line);
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        resolveExit({ code, signal });
      });
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.service} has no pid`);
    return this.child.pid;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.exitStatus === undefined;
  }

  /** The child's recent output, for assertions and failure messages. */
  logs(): string {
    return this.lines.join('\n');
  }

  /**
   * Calls `listener` with each line still kept, then with every new line as it arrives, so a
   * test can keep what it needs beyond the newest LOG_LINES_KEPT_MAX lines. Returns a function
   * that removes the listener.
   */
  onLine(listener: (line: string) => void): () => void {
    for (const line of this.lines) listener(line);
    this.lineListeners.add(listener);
    return () => this.lineListeners.delete(listener);
  }

  /** Parsed JSON log lines (non-JSON lines are skipped). */
  logRecords(): Record<string, unknown>[] {
    const records: Record<string, unknown>[] = [];
    for (const line of this.lines) {
      try {
        records.push(JSON.parse(line));
      } catch {
        // Not a log record: output of a dependency or a crash trace.
      }
    }
    return records;
  }

  waitExit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exited;
  }

  /** Graceful stop: SIGTERM, then SIGKILL if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.running) return this.exited;
    this.signal('SIGCONT');
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** kill -9: no shutdown hooks run. */
  async kill9(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }

  /** SIGSTOP: the process freezes, holding its sockets, as under a long GC pause. */
  pause(): void {
    this.signal('SIGSTOP');
  }

  resume(): void {
    this.signal('SIGCONT');
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  async get(path: string): Promise<{ status: number; body: unknown; text: string }> {
    const response = await fetch(`${this.url}${path}`);
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (metrics, say): the text is the body.
    }
    return { status: response.status, body, text };
  }

  async waitReady(timeoutMs = SERVICE_READY_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(
          `${this.service} exited (${JSON.stringify(this.exitStatus)}):\n${this.logs()}`,
        );
      }
      try {
        const { status, text } = await this.get('/health/ready');
        if (status === 200) return;
        last = `${status} ${text}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }
    throw new Error(`${this.service} not ready after ${timeoutMs} ms (${last}):\n${this.logs()}`);
  }
}

/** Asks the kernel for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

let built = false;

/** Compiles the services to dist/ once per test process (incremental, so usually instant). */
export async function ensureBuilt(): Promise<void> {
  if (built) return;
  // A child process, because jest's module runtime cannot import the ESM build script.
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/build.mjs')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`build failed:\n${result.stdout}\n${result.stderr}`);
  built = true;
}

export function serviceEntry(service: ServiceName): string {
  return join(REPO_ROOT, 'dist/apps', service, 'src/main.js');
}

/** Starts a service from dist/ as a child process and (by default) waits until it is ready. */
export async function startService(options: StartServiceOptions): Promise<ServiceProcess> {
  await ensureBuilt();
  const entry = serviceEntry(options.service);
  if (!existsSync(entry)) throw new Error(`no build output at ${entry}`);
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, ['--enable-source-maps', entry], {
    cwd: REPO_ROOT,
    // `env` may override PORT too, for tests of a malformed setting.
    env: { ...process.env, LOG_LEVEL: 'info', PORT: String(port), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const service = new ServiceProcess(options.service, port, child);
  if (options.waitReady ?? true) {
    try {
      await service.waitReady(options.readyTimeoutMs);
    } catch (error) {
      await service.kill9();
      throw error;
    }
  }
  return service;
}
