import type { Kafka, Producer } from 'kafkajs';
import { Client } from 'pg';
import { createIdempotentProducer } from '@app/messaging';
import {
  OUTBOX_BACKOFF_INITIAL_MS,
  OUTBOX_BACKOFF_MAX_MS,
  OUTBOX_BATCH_BYTES_MAX,
  OUTBOX_BATCH_MESSAGES_MAX,
  OUTBOX_BATCH_ROWS_MAX,
  OUTBOX_BLOCKED_RETRY_MS,
  OUTBOX_CHANNEL,
  OUTBOX_LOCK_NAME_DEFAULT,
  OUTBOX_POLL_INTERVAL_MS,
  OUTBOX_SEND_RETRIES_MAX,
  OUTBOX_STANDBY_RETRY_MS,
  OUTBOX_STATEMENT_TIMEOUT_MS,
  OUTBOX_STATS_INTERVAL_MS,
} from './outbox.constants';
import { outboxMetrics, type OutboxMetrics } from './outbox.metrics';
import { OutboxError } from './outbox-error';
import {
  DELETE_BATCH_SQL,
  SELECT_BATCH_SQL,
  STATS_SQL,
  backoffMs,
  messageCount,
  settledPrefix,
  toTopicMessages,
  type OutboxRow,
} from './relay-batch';
import { Wakeup } from './wakeup';

/**
 * The outbox relay: publishes committed outbox rows to Kafka, at least once, and deletes them
 * once Kafka acknowledged them.
 *
 * ## Which rows, in which order
 *
 * Ids come from a sequence when a row is inserted, but a row becomes visible when its
 * transaction commits, so a lower id can appear after a higher one. The relay therefore keeps no
 * "id > last seen" mark: every round reads the lowest unpublished ids again (rows leave the table
 * only after Kafka acknowledged them), each flagged `settled` when its writer's xid is below the
 * xmin of the statement's own snapshot. xmin is the oldest transaction still running; xids are
 * handed out in increasing order, so every transaction that is still running, or has not written
 * yet, has an xid at or above it. The relay publishes only the leading run of settled rows in id
 * order, and stops at the first committed but unsettled one.
 *
 * 1. Nothing is skipped: a committed row stays in the table until Kafka acknowledged it, and is
 *    published once every transaction older than its writer has ended.
 * 2. Causal order: if transaction T1 committed before transaction T2 inserted row s, every row r
 *    of T1 is published before s. r was inserted before T1's commit, hence before s, so
 *    r.id < s.id. The round that publishes s sees T2 committed, hence T1 too, so r is visible
 *    (or already published); the published run is in id order and contains s, so it contains r
 *    ahead of s. The rows of one transaction go out in insert order by the same argument. This
 *    covers the order path: a cancel is written after the order it cancels committed.
 * 3. Late commit: while a transaction A runs, no row of a transaction with a larger xid is
 *    published, even if it committed (it is unsettled and blocks the run). So if A wrote first
 *    (took its xid first) and B committed while A was open, A's row still goes out before B's.
 *    Transactions that overlapped in any other way saw nothing of each other, and their rows
 *    have no order the application could rely on; they go out in id order when they settle in
 *    the same round, else in the order they settle.
 *
 * The price: xmin is cluster-wide, so any long write transaction on the PostgreSQL server holds
 * publication back until it ends (bounded by the servers' statement and idle-in-transaction
 * timeouts).
 *
 * On Kafka, a batch is sent with one idempotent producer and acknowledged before the next one is
 * read, and the records of a topic keep their id order (a multi-message row's records follow one
 * another in the order they were written), so each partition (each key) receives the first copy
 * of every row in the order above. A row is deleted only with its whole batch, after Kafka
 * acknowledged every record of it, so a multi-message row is never half published and deleted. A failed send or a crash between the
 * acknowledgement and the delete sends the rows again: the copies are duplicates that consumers
 * drop by `x-command-id` (every record also carries `x-outbox-id`). After a failed send the
 * producer is replaced, so that different records never reuse a sequence number the broker has
 * already seen.
 *
 * ## One active relay
 *
 * A session-level advisory lock on the relay's own connection, which also runs LISTEN, the batch
 * query and the delete. The lock lives exactly as long as that session, so every statement that
 * succeeds on it proves the lock is still held: no TTL, no clock, no renewal loop. A crashed
 * process's lock is freed as soon as PostgreSQL sees its connection close; a lease would add
 * renewals and expiry without closing the one window both share (a relay cut off from
 * PostgreSQL right after reading a batch may still deliver it to Kafka after its successor
 * started; those records are copies of rows the successor publishes too, since the old relay
 * cannot delete them). The connection must therefore be a direct session, not a
 * transaction-pooling proxy.
 */

/** What the relay logs through; a pino logger fits. */
export interface OutboxRelayLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** TEST ONLY hooks, for crash tests. Never set them in a service. */
export interface OutboxRelayTestHooks {
  /**
   * Called after Kafka acknowledged a batch and before its rows are deleted: a test can kill the
   * process here to prove that a crash in this window loses nothing.
   */
  readonly afterAckBeforeDeleteForTests?: (ids: readonly string[]) => void | Promise<void>;
}

export interface OutboxRelayOptions {
  /** A direct PostgreSQL URL for the relay's own session (LISTEN and the lock need one). */
  readonly databaseUrl: string;
  readonly kafka: Kafka;
  /** Names the outbox: one active relay per name. Default `outbox-relay`. */
  readonly lockName?: string;
  /**
   * Rows per batch. Default `OUTBOX_BATCH_ROWS_MAX` (500). A batch is also bounded by
   * `OUTBOX_BATCH_MESSAGES_MAX` and `OUTBOX_BATCH_BYTES_MAX`; its first row always goes.
   */
  readonly batchRowsMax?: number;
  /** Fallback poll of an idle active relay, in ms. Default `OUTBOX_POLL_INTERVAL_MS` (2 000). */
  readonly pollIntervalMs?: number;
  /** How often a standby tries the lock, in ms. Default `OUTBOX_STANDBY_RETRY_MS` (1 000). */
  readonly standbyRetryMs?: number;
  /** `application_name` of the relay's session. Default `outbox-relay`. */
  readonly applicationName?: string;
  /** Default: silent. */
  readonly logger?: OutboxRelayLogger;
  readonly testHooks?: OutboxRelayTestHooks;
}

export type OutboxRelayRole = 'stopped' | 'standby' | 'active';

export interface OutboxRelayStatus {
  readonly role: OutboxRelayRole;
  /** Rows this relay got acknowledged by Kafka since it started. */
  readonly publishedRows: number;
  /** Batches this relay got acknowledged by Kafka since it started. */
  readonly batches: number;
}

type Outcome = 'idle' | 'blocked' | 'drained' | 'full';

interface SelectedRow {
  id: string;
  topic: string;
  key: string | null;
  /** Null past the batch's bounds (`within` false). */
  payload: Buffer | null;
  headers: Record<string, string>;
  messages: number | null;
  settled: boolean;
  within: boolean;
}

/**
 * The rows within the batch's bounds, with their payloads: the prefix the SELECT flagged. Throws
 * if the flags are not a prefix, or a row within it lacks its payload.
 */
function boundedPrefix(rows: readonly SelectedRow[]): OutboxRow[] {
  const end = rows.findIndex((row) => !row.within);
  const within = end === -1 ? rows : rows.slice(0, end);
  if (end === 0 || rows.slice(within.length).some((row) => row.within)) {
    throw new OutboxError('RELAY_STATE', 'batch bounds are not a prefix of the rows');
  }
  return within.map((row) => {
    if (row.payload === null) {
      throw new OutboxError('RELAY_STATE', `outbox row ${row.id} read without its payload`);
    }
    return { ...row, payload: row.payload };
  });
}

const SILENT: OutboxRelayLogger = { info: () => {}, warn: () => {}, error: () => {} };

export class OutboxRelay {
  private role: OutboxRelayRole = 'stopped';
  private running = false;
  private loop: Promise<void> | undefined;
  private firstRound: Promise<void> | undefined;
  private firstRoundDone: (() => void) | undefined;
  private client: Client | undefined;
  private connectionLost: unknown;
  private producer: Producer | undefined;
  private stage: 'database' | 'kafka' = 'database';
  private statsAt = Number.NEGATIVE_INFINITY;
  private publishedRows = 0;
  private batches = 0;
  private readonly wakeup = new Wakeup();
  private readonly metrics: OutboxMetrics = outboxMetrics();
  private readonly lockName: string;
  private readonly label: { outbox: string };
  private readonly batchRowsMax: number;
  private readonly pollIntervalMs: number;
  private readonly standbyRetryMs: number;
  private readonly log: OutboxRelayLogger;

  constructor(private readonly options: OutboxRelayOptions) {
    this.lockName = options.lockName ?? OUTBOX_LOCK_NAME_DEFAULT;
    this.label = { outbox: this.lockName };
    this.batchRowsMax = options.batchRowsMax ?? OUTBOX_BATCH_ROWS_MAX;
    this.pollIntervalMs = options.pollIntervalMs ?? OUTBOX_POLL_INTERVAL_MS;
    this.standbyRetryMs = options.standbyRetryMs ?? OUTBOX_STANDBY_RETRY_MS;
    this.log = options.logger ?? SILENT;
    if (!Number.isSafeInteger(this.batchRowsMax) || this.batchRowsMax < 1) {
      throw new OutboxError('RELAY_STATE', `batchRowsMax must be a positive integer`);
    }
  }

  /**
   * Starts the relay in the background. Resolves once its first attempt to connect and take the
   * lock has finished, successful or not; it keeps retrying after that on its own.
   */
  start(): Promise<void> {
    if (this.running) return this.firstRound ?? Promise.resolve();
    this.running = true;
    this.firstRound = new Promise((resolve) => (this.firstRoundDone = resolve));
    this.loop = this.run();
    return this.firstRound;
  }

  /**
   * Graceful stop: a batch in flight is finished (sent and deleted), then the session is closed,
   * which frees the lock for a standby at once.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeup.wake();
    await this.loop;
    this.loop = undefined;
    await this.dropProducer();
    await this.dropConnection();
    this.setRole('stopped', 'stopped');
  }

  status(): OutboxRelayStatus {
    return { role: this.role, publishedRows: this.publishedRows, batches: this.batches };
  }

  isActive(): boolean {
    return this.role === 'active';
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let delayMs: number;
      try {
        delayMs = await this.round();
        failures = 0;
      } catch (error) {
        failures += 1;
        delayMs = backoffMs(failures, OUTBOX_BACKOFF_INITIAL_MS, OUTBOX_BACKOFF_MAX_MS);
        await this.recover(error, failures, delayMs);
      }
      this.firstRoundDone?.();
      if (this.running && delayMs > 0) await this.wakeup.wait(delayMs);
    }
    this.firstRoundDone?.();
  }

  /** One step of the loop; returns how long to wait before the next one (0: at once). */
  private async round(): Promise<number> {
    this.stage = 'database';
    const client = await this.connection();
    if (this.role !== 'active') {
      const locked = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock(hashtext($1)) AS locked`,
        [`exchange.outbox-relay:${this.lockName}`],
      );
      if (locked.rows[0]?.locked !== true) {
        this.setRole('standby', 'lock held by another relay');
        return this.standbyRetryMs;
      }
      this.setRole('active', 'lock acquired');
    }
    const outcome = await this.publishBatch(client);
    await this.refreshStats(client);
    switch (outcome) {
      case 'full':
        return 0;
      case 'blocked':
        return OUTBOX_BLOCKED_RETRY_MS;
      case 'drained':
      case 'idle':
        return this.pollIntervalMs;
    }
  }

  /** Reads the next batch, sends its settled run to Kafka, deletes what Kafka acknowledged. */
  private async publishBatch(client: Client): Promise<Outcome> {
    this.stage = 'database';
    const selected = await client.query<SelectedRow>(SELECT_BATCH_SQL, [
      this.batchRowsMax,
      OUTBOX_BATCH_MESSAGES_MAX,
      OUTBOX_BATCH_BYTES_MAX,
    ]);
    if (selected.rows.length === 0) return 'idle';
    const candidates = boundedPrefix(selected.rows);
    const batch: OutboxRow[] = settledPrefix(candidates);
    if (batch.length === 0) return 'blocked';
    const ids = batch.map((row) => row.id);
    // Decoded before the Kafka stage: a broken row is a database problem, not a Kafka outage.
    const topicMessages = toTopicMessages(batch);

    this.stage = 'kafka';
    const producer = await this.producerReady();
    const sentAt = performance.now();
    await producer.sendBatch({ topicMessages, acks: -1 });
    this.metrics.publishLatencySeconds.observe(this.label, (performance.now() - sentAt) / 1000);
    this.metrics.publishBatchSize.observe(this.label, batch.length);
    this.metrics.publishedMessagesTotal.inc(this.label, messageCount(batch));
    this.metrics.publishedTotal.inc(this.label, batch.length);
    this.publishedRows += batch.length;
    this.batches += 1;
    await this.options.testHooks?.afterAckBeforeDeleteForTests?.(ids);

    this.stage = 'database';
    const deleted = await client.query(DELETE_BATCH_SQL, [ids]);
    if (deleted.rowCount !== ids.length) {
      // Only the lock holder deletes, so another deleter means two active relays.
      throw new OutboxError(
        'RELAY_STATE',
        `deleted ${deleted.rowCount} of ${ids.length} published rows: is another relay active?`,
      );
    }
    if (batch.length < candidates.length) return 'blocked';
    const more = candidates.length < selected.rows.length;
    return more || selected.rows.length === this.batchRowsMax ? 'full' : 'drained';
  }

  private async refreshStats(client: Client): Promise<void> {
    const now = performance.now();
    if (now - this.statsAt < OUTBOX_STATS_INTERVAL_MS) return;
    this.statsAt = now;
    this.stage = 'database';
    const { rows } = await client.query<{
      pending: number;
      pending_messages: number;
      oldest_age_s: number;
    }>(STATS_SQL);
    this.metrics.pendingRows.set(this.label, rows[0]?.pending ?? 0);
    this.metrics.pendingMessages.set(this.label, rows[0]?.pending_messages ?? 0);
    this.metrics.oldestPendingAgeSeconds.set(this.label, rows[0]?.oldest_age_s ?? 0);
  }

  /** The relay's session, connected and listening; a broken one is replaced (losing the lock). */
  private async connection(): Promise<Client> {
    if (this.client !== undefined && this.connectionLost === undefined) return this.client;
    if (this.client !== undefined) {
      // Counted as a failed round, so that a flapping connection is retried with backoff.
      const lost = this.connectionLost;
      await this.dropConnection();
      throw lost;
    }
    const client = new Client({
      connectionString: this.options.databaseUrl,
      application_name: this.options.applicationName ?? 'outbox-relay',
      statement_timeout: OUTBOX_STATEMENT_TIMEOUT_MS,
      keepAlive: true,
    });
    const lost = (error: unknown) => {
      if (this.client !== client) return;
      this.connectionLost = error ?? new Error('connection ended');
      // The session, and with it the lock, is gone: stop acting as the active relay at once.
      this.setRole(this.running ? 'standby' : 'stopped', 'database connection lost');
      this.wakeup.wake();
    };
    client.on('error', lost);
    client.on('end', () => lost(undefined));
    client.on('notification', (message) => {
      if (message.channel === OUTBOX_CHANNEL && this.role === 'active') this.wakeup.wake();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    this.connectionLost = undefined;
    return client;
  }

  private async producerReady(): Promise<Producer> {
    if (this.producer !== undefined) return this.producer;
    // Bounded retries: after they run out the relay replaces the producer (see the constant).
    const producer = createIdempotentProducer(this.options.kafka, {
      retry: { retries: OUTBOX_SEND_RETRIES_MAX },
    });
    try {
      await producer.connect();
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    this.producer = producer;
    return producer;
  }

  private async recover(error: unknown, failures: number, delayMs: number): Promise<void> {
    const stage = this.stage;
    this.metrics.errorsTotal.inc({ ...this.label, stage });
    // An OutboxError is a broken invariant (two active relays), not an outage.
    this.log[error instanceof OutboxError ? 'error' : 'warn'](
      { err: error, stage, failures, retryInMs: delayMs, outbox: this.lockName },
      'outbox relay round failed',
    );
    // A failed send may have been written in part; a fresh producer id keeps the next attempt
    // from being taken for a retry of it. A database error may have ended the session.
    await this.dropProducer();
    if (stage === 'database') await this.dropConnection();
  }

  private async dropProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }

  private async dropConnection(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.connectionLost = undefined;
    if (this.role === 'active')
      this.setRole(this.running ? 'standby' : 'stopped', 'session closed');
    await client?.end().catch(() => undefined);
  }

  private setRole(role: OutboxRelayRole, reason: string): void {
    if (role === this.role) return;
    const previous = this.role;
    this.role = role;
    this.metrics.relayActive.set(this.label, role === 'active' ? 1 : 0);
    if (role !== 'active') {
      this.metrics.pendingRows.set(this.label, 0);
      this.metrics.pendingMessages.set(this.label, 0);
      this.metrics.oldestPendingAgeSeconds.set(this.label, 0);
      this.statsAt = Number.NEGATIVE_INFINITY;
    }
    const level = previous === 'active' && role === 'standby' ? 'warn' : 'info';
    this.log[level]({ outbox: this.lockName, role, previous, reason }, 'outbox relay role');
  }
}
