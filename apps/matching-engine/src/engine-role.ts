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
      statement_timeout: settings.LEASE_RENEW_INTERVAL_MS,
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
