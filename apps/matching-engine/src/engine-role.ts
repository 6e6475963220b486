import {
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Pool } from 'pg';
import { LeaderElector, instrumentLeaderElector } from '@app/leader-election';
import type { Logger } from '@app/observability';
import type { MatchingEngineSettings } from './matching-engine.settings';

/** Connections of the lease's own pool: renewals must never wait behind matching work. */
const LEASE_POOL_SIZE_MAX = 2;

/**
 * The lease pool's statement timeout: the renew interval, or half the TTL if that is longer.
 *
 * Any failed renewal, a timed-out one too, makes the leader step down at once, so a timeout of
 * one renew interval (500 ms in the tests) turned a PostgreSQL commit that slow, easily reached
 * on a loaded machine, into a spurious failover. Safety does not rest on this bound: the elector
 * counts its lease valid only until (time the last successful request was SENT) + TTL, and its
 * deadline timer steps it down when that passes, whether or not a query is still outstanding; a
 * renewal that answers late extends the deadline only from its send time, and the database
 * refuses to renew an expired lease. The timeout only cancels a statement stuck on the server
 * and frees its connection; half the TTL does so well before the lease could lapse.
 */
function leaseStatementTimeoutMs(settings: {
  readonly LEASE_TTL_MS: number;
  readonly LEASE_RENEW_INTERVAL_MS: number;
}): number {
  return Math.max(settings.LEASE_RENEW_INTERVAL_MS, Math.floor(settings.LEASE_TTL_MS / 2));
}

/**
 * This process's role for its shard: it campaigns for the shard's lease and reports its role and
 * fencing token. Only the leader consumes and produces (EngineLeader runs its session).
 */
@Injectable()
export class EngineRole implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly leaseName: string;
  private readonly pool: Pool;
  readonly elector: LeaderElector;

  constructor(
    private readonly settings: MatchingEngineSettings,
    private readonly logger: Logger,
  ) {
    this.leaseName = `engine-shard-${settings.ENGINE_SHARD}`;
    this.pool = new Pool({
      connectionString: settings.DATABASE_URL,
      max: LEASE_POOL_SIZE_MAX,
      application_name: `matching-engine-lease:${settings.ENGINE_INSTANCE_ID}`,
      connectionTimeoutMillis: settings.LEASE_TTL_MS,
      statement_timeout: leaseStatementTimeoutMs(settings),
    });
    this.pool.on('error', (error) =>
      this.logger.warn({ err: error }, 'lease pool connection error'),
    );
    this.elector = new LeaderElector(
      async (sql, params) => (await this.pool.query(sql, params)).rows,
      {
        leaseName: this.leaseName,
        holderId: settings.ENGINE_INSTANCE_ID,
        ttlMs: settings.LEASE_TTL_MS,
        renewIntervalMs: settings.LEASE_RENEW_INTERVAL_MS,
      },
    );
    instrumentLeaderElector(this.elector, this.leaseName);
    this.elector.on('change', (state, reason) =>
      this.logger.info(
        { role: state.role, token: state.token?.toString(), reason },
        'engine role changed',
      ),
    );
    this.elector.on('failure', (error) => this.logger.warn({ err: error }, 'lease query failed'));
  }

  details(): Record<string, unknown> {
    const state = this.elector.current();
    return {
      role: state.role === 'leader' ? 'active' : state.role === 'follower' ? 'standby' : 'stopped',
      fencingToken: state.token?.toString() ?? null,
      lease: this.leaseName,
      instance: this.settings.ENGINE_INSTANCE_ID,
      shard: this.settings.ENGINE_SHARD,
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.elector.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.elector.stop();
    await this.pool.end();
  }
}
