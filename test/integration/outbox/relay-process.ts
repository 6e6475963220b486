// Runs the relay fixture as a child process and reads its JSON lines, for the crash test.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@app/testing';
import { eventually } from './outbox-test-helpers';

const FIXTURE = join(REPO_ROOT, 'test/integration/outbox/fixtures/relay-process.ts');

/** Longest the fixture may take to compile and start (swc-node on a cold cache). */
const FIXTURE_START_MS = 30_000;

export class RelayProcess {
  readonly events: Record<string, unknown>[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private buffer = '';

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
      const lines = this.buffer.split('\n');
      this.buffer = lines.pop() ?? '';
      for (const text of lines) {
        try {
          this.events.push(JSON.parse(text));
        } catch {
          this.events.push({ event: 'output', text });
        }
      }
    });
    child.stderr?.on('data', (chunk: Buffer) =>
      this.events.push({ event: 'stderr', text: chunk.toString('utf8') }),
    );
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  static async start(env: Record<string, string>): Promise<RelayProcess> {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', FIXTURE], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const relay = new RelayProcess(child);
    await eventually(`the relay fixture to start: ${relay.describe()}`, FIXTURE_START_MS, () =>
      relay.events.some((e) => e.event === 'started') ? true : undefined,
    );
    return relay;
  }

  /** SIGTERM and wait for exit (SIGKILL after 15 s). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }

  describe(): string {
    return JSON.stringify(this.events.slice(-20));
  }
}
