// Proves the Nest adapter: OutboxModule.forRoot({ enabled: true }) starts the relay on application bootstrap with the global DataSource and KAFKA, publishes and reports metrics, and stops it (freeing the lock) on close; enabled false runs nothing; a real Nest application context.
import { Test } from '@nestjs/testing';
import { DatabaseModule } from '@app/database';
import { MessagingModule } from '@app/messaging';
import { metricsRegistry } from '@app/observability';
import { OutboxModule, OutboxRelayService } from '@app/outbox';
import {
  createOutboxFixture,
  eventually,
  messages,
  outboxCount,
  writeCommitted,
  type OutboxFixture,
} from './outbox-test-helpers';

describe('OutboxModule', () => {
  let fixture: OutboxFixture;

  beforeAll(async () => {
    fixture = await createOutboxFixture('obmodule');
  });

  afterAll(async () => {
    await fixture?.cleanup();
  });

  const app = async (enabled: boolean) => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        DatabaseModule.forRoot({ url: fixture.database.url, poolSizeMax: 2, retryAttempts: 1 }),
        MessagingModule.forRoot({
          brokers: fixture.brokers,
          clientId: `${fixture.runId}-module`,
          topicPrefix: fixture.topics.prefix,
          logLevel: 'error',
        }),
        OutboxModule.forRoot({ enabled, pollIntervalMs: 30_000 }),
      ],
    }).compile();
    // An application context: init() runs the bootstrap hooks, close() the shutdown hooks.
    return moduleRef.init();
  };

  const lockHolders = async () => {
    const [row] = await fixture.database.dataSource.query(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    return row.n as number;
  };

  it('runs the relay from bootstrap to close, and reports metrics', async () => {
    const nest = await app(true);
    const service = nest.get(OutboxRelayService);
    expect(service.status()?.role).toBe('active');
    expect(await lockHolders()).toBe(1);

    await writeCommitted(fixture.database.dataSource, messages(fixture.topic, 'module', 7));
    await eventually('the module relay to publish', 10_000, async () =>
      (await outboxCount(fixture.database.dataSource)) === 0 ? true : undefined,
    );
    expect(service.status()?.publishedRows).toBe(7);
    const metrics = await metricsRegistry.metrics();
    expect(metrics).toMatch(/outbox_published_total\{outbox="outbox-relay"\} [1-9]/);
    expect(metrics).toMatch(/outbox_relay_active\{outbox="outbox-relay"\} 1/);
    expect(metrics).toMatch(/outbox_publish_batch_size_count\{outbox="outbox-relay"\} [1-9]/);
    expect(metrics).toMatch(/outbox_publish_latency_seconds_count\{outbox="outbox-relay"\} [1-9]/);
    expect(metrics).toContain('outbox_pending_rows{outbox="outbox-relay"}');
    expect(metrics).toContain('outbox_pending_messages{outbox="outbox-relay"}');
    expect(metrics).toContain('outbox_oldest_pending_age_seconds{outbox="outbox-relay"}');

    await nest.close();
    expect(service.status()?.role).toBe('stopped');
    expect(await lockHolders()).toBe(0);
  });

  it('runs nothing when disabled', async () => {
    const nest = await app(false);
    expect(nest.get(OutboxRelayService).status()).toBeUndefined();
    expect(await lockHolders()).toBe(0);
    await nest.close();
  });
});
