// Proves exactly-once across kill -9: a settlement child process SIGKILLs itself (test-only hook) after a database commit and before the Kafka offset commit; the restarted consumer gets that batch again, the checkpoint skips it, and nothing is settled twice (trade count, clean audit); real processes, PostgreSQL and Kafka.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Producer } from 'kafkajs';
import {
  createTestTopics,
  kafkaBrokersForTests,
  newRunId,
  REPO_ROOT,
  type TestTopics,
} from '@app/testing';
import { randomRun, waitCaughtUp } from './random-run';
import {
  createSettlementFixture,
  expectAuditClean,
  RESULTS_LOGICAL,
  type SettlementFixture,
} from './settlement-helpers';

const FIXTURE = join(REPO_ROOT, 'test/integration/settlement/fixtures/settlement-process.ts');
const SEED = 4242;

class SettlementProcess {
  readonly events: Record<string, unknown>[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private buffer = '';

  constructor(private readonly child: ChildProcess) {
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
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  static start(env: Record<string, string>): SettlementProcess {
    return new SettlementProcess(
      spawn(process.execPath, ['-r', '@swc-node/register', FIXTURE], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}

describe('settlement killed between the database commit and the offset commit', () => {
  const runId = newRunId('setcrash');
  let f: SettlementFixture;
  let topics: TestTopics;
  let producer: Producer;
  let resultsTopic: string;
  const processes: SettlementProcess[] = [];

  beforeAll(async () => {
    f = await createSettlementFixture('setcrash');
    topics = await createTestTopics(runId, [{ logical: RESULTS_LOGICAL, partitions: 1 }]);
    resultsTopic = topics.names[RESULTS_LOGICAL];
    producer = topics.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await producer?.disconnect();
    await topics?.cleanup();
    await f?.database.drop();
  });

  it('settles nothing twice after kill -9 and restart', async () => {
    const stats = await randomRun(f, {
      seed: SEED,
      traders: 6,
      rounds: 10,
      actionsPerRound: 12,
      auditEveryRounds: 10,
      kafka: topics.kafka,
      producer,
      resultsTopic,
      settle: false,
    });
    const env = {
      DATABASE_URL: f.database.url,
      KAFKA_BROKERS: kafkaBrokersForTests().join(','),
      RESULTS_TOPIC: resultsTopic,
      GROUP_ID: `${runId}-settlement`,
      BATCH_EVENTS_MAX: '20',
    };
    const doomed = SettlementProcess.start({ ...env, KILL_AFTER_DB_COMMITS: '3' });
    processes.push(doomed);
    expect(await doomed.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // The database is ahead of Kafka: the checkpoint holds the third batch, the group offset not.
    const [checkpoint] = (await f.dataSource.query(
      `SELECT last_offset::int AS last FROM settlement_checkpoints WHERE topic = $1 AND partition = 0`,
      [resultsTopic],
    )) as { last: number }[];
    const admin = topics.kafka.admin();
    await admin.connect();
    const [group] = await admin.fetchOffsets({ groupId: env.GROUP_ID, topics: [resultsTopic] });
    await admin.disconnect();
    const committed = Number(group.partitions[0].offset);
    expect(checkpoint.last).toBe(59);
    expect(committed).toBe(40);

    const survivor = SettlementProcess.start(env);
    processes.push(survivor);
    await waitCaughtUp(f, topics.kafka, resultsTopic);
    await survivor.stop();
    const [{ trades }] = (await f.dataSource.query(
      `SELECT count(*)::int AS trades FROM trades`,
    )) as {
      trades: number;
    }[];
    expect(trades).toBe(stats.trades);
    await expectAuditClean(f.dataSource, `(seed ${SEED})`);
  }, 180_000);
});
