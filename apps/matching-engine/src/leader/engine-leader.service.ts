import {
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Queryable } from '@app/database';
import { TOPICS, type TopicNames } from '@app/messaging';
import type { Logger } from '@app/observability';
import { TAKEOVER_RETRY_DELAY_MS } from '../engine.constants';
import { engineMetrics } from '../engine.metrics';
import type { EngineRole } from '../engine-role';
import { EngineFollower } from '../follower/engine-follower';
import type { MatchingEngineSettings } from '../matching-engine.settings';
import { EngineStalledError, LeaderSession, type SymbolState } from './leader-session';
import { ProgressWatchdog, type ProgressStatus } from './progress-watchdog';

/**
 * Runs a LeaderSession while this process leads its shard: starts one when the lease is
 * acquired, stops it the moment the lease is lost, and starts a fresh one (fresh restore) when
 * a session fails while the lease is still held. At most one session runs at a time; a new one
 * starts only after the previous one has closed its consumer and producer. While standby, the
 * EngineFollower keeps a warm book (ENGINE_WARM_STANDBY), which the next session takes over.
 */
@Injectable()
export class EngineLeader implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private session: LeaderSession | undefined;
  private previous: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private shuttingDown = false;
  private readonly idle: boolean;
  private readonly metrics = engineMetrics();
  private readonly follower: EngineFollower | undefined;
  /** Watches the leader's progress on the orders log; restarts or hands over a stalled one. */
  readonly watchdog: ProgressWatchdog;
  /** Sessions still to be frozen by the test fault hook (ENGINE_FAULT_HOOKS). */
  private sessionsToFreeze = 0;

  constructor(
    private readonly role: EngineRole,
    private readonly kafka: Kafka,
    private readonly db: Queryable,
    private readonly topics: TopicNames,
    private readonly settings: MatchingEngineSettings,
    private readonly logger: Logger,
  ) {
    // Such a shard owns no partition: it may hold its lease (so operators see it), never work.
    this.idle = settings.ENGINE_SHARD >= settings.ENGINE_SHARDS;
    if (this.idle) {
      logger.error(
        { shard: settings.ENGINE_SHARD, shards: settings.ENGINE_SHARDS },
        'ENGINE_SHARD is not below ENGINE_SHARDS: this engine owns no partitions and stays idle',
      );
    }
    if (settings.ENGINE_WARM_STANDBY && !this.idle) {
      this.follower = new EngineFollower({
        kafka,
        db,
        settings,
        topics,
        logger,
        metrics: this.metrics,
      });
    }
    this.watchdog = new ProgressWatchdog({
      kafka,
      ordersTopic: topics.of(TOPICS.orders.logical),
      shard: settings.ENGINE_SHARD,
      stallTimeoutMs: settings.ENGINE_STALL_TIMEOUT_MS,
      logger,
      metrics: this.metrics,
      session: () => this.session,
      handOver: (holdOffMs) => role.elector.handOver(holdOffMs),
    });
    // Registered before EngineRole starts campaigning (at bootstrap), so no change is missed.
    role.elector.on('change', () => this.reconcile());
  }

  /** Per-market state of the leader's book; undefined while standby or restoring. */
  state(): {
    consuming: boolean;
    restoredFrom: string | null;
    symbols: Record<string, SymbolState>;
    committedOffsets: Record<string, string>;
    progress: ProgressStatus | null;
    standby: ReturnType<EngineFollower['status']> | null;
  } {
    const symbols = this.session?.state();
    return {
      consuming: symbols !== undefined,
      progress: this.watchdog.status() ?? null,
      restoredFrom: (symbols !== undefined ? this.session?.source() : undefined) ?? null,
      symbols: symbols ?? {},
      committedOffsets: this.session?.committedOffsets() ?? {},
      standby: this.session === undefined ? (this.follower?.status() ?? null) : null,
    };
  }

  /** A process that starts as standby sees no role change: it starts following here. */
  onApplicationBootstrap(): void {
    if (!this.idle) this.watchdog.start();
    this.reconcile();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    clearTimeout(this.retryTimer);
    this.session?.stop();
    await Promise.all([this.previous, this.follower?.stop(), this.watchdog.stop()]);
  }

  /**
   * The test fault hook: freezes the consumer of the current session and of the next
   * `sessions - 1` sessions (their positions stop while commands wait).
   */
  freezeSessions(sessions: number): void {
    this.sessionsToFreeze = sessions;
    if (this.session !== undefined && this.sessionsToFreeze > 0) {
      this.sessionsToFreeze -= 1;
      this.session.freeze();
    }
  }

  private reconcile(): void {
    const { role, token } = this.role.elector.current();
    const session = this.session;
    if (session !== undefined && (role !== 'leader' || token !== session.token)) {
      // On an orderly shutdown the lease is released on purpose: not worth a warning.
      const level = this.shuttingDown ? 'info' : 'warn';
      this.logger[level](
        { token: session.token.toString(), role },
        'leadership ended; engine stops',
      );
      session.stop();
      this.session = undefined;
    }
    if (role !== 'leader') this.watchdog.leadershipEnded();
    if (
      role === 'leader' &&
      token !== undefined &&
      this.session === undefined &&
      !this.shuttingDown
    ) {
      this.start(token);
    }
    // A standby follows the leader; the session of a new leader takes the book (or stops it).
    if (role === 'follower' && this.session === undefined && !this.shuttingDown)
      this.follower?.start();
    if (role !== 'leader' && role !== 'follower') void this.follower?.stop();
  }

  private start(token: bigint): void {
    clearTimeout(this.retryTimer);
    const session = new LeaderSession(
      {
        kafka: this.kafka,
        db: this.db,
        elector: this.role.elector,
        settings: this.settings,
        topics: this.topics,
        logger: this.logger,
        metrics: this.metrics,
        follower: this.follower,
      },
      token,
    );
    this.session = session;
    if (this.sessionsToFreeze > 0) {
      this.sessionsToFreeze -= 1;
      session.freeze();
    }
    const before = this.previous;
    this.previous = (async () => {
      await before;
      if (this.session !== session) return;
      try {
        await session.run();
      } catch (error) {
        // The watchdog has logged the stall it ended this session for.
        if (error instanceof EngineStalledError)
          this.logger.warn(
            { token: token.toString() },
            'engine leader session ended by the watchdog',
          );
        else
          this.logger.error(
            { err: error, token: token.toString() },
            'engine leader session failed',
          );
      }
      if (this.session === session) this.session = undefined;
      if (!this.shuttingDown) {
        this.retryTimer = setTimeout(() => this.reconcile(), TAKEOVER_RETRY_DELAY_MS);
      }
    })();
  }
}
