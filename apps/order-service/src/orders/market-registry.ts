import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { loadMarkets } from '@app/database';
import type { Market } from '@app/domain';
import { getOrCreate, metricsRegistry, type Logger } from '@app/observability';
import { ORDER_SERVICE_LOGGER } from '../http/logger.token';
import { MARKETS_REFRESH_INTERVAL_MS } from './orders.constants';

/** Background refreshes of the markets that failed (the registry kept the markets it had). */
function refreshFailures(): Counter {
  return getOrCreate(
    'order_service_market_refresh_failures_total',
    () =>
      new Counter({
        name: 'order_service_market_refresh_failures_total',
        help: 'Background re-reads of the markets that failed; TX1 kept validating against the markets read before',
        registers: [metricsRegistry],
      }),
  );
}

/** The markets TX1 validates against, loaded at start and refreshed in the background. */
@Injectable()
export class MarketRegistry implements OnModuleInit, OnModuleDestroy {
  private markets = new Map<string, Market>();
  private timer: NodeJS.Timeout | undefined;
  private readonly failures = refreshFailures();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(ORDER_SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refreshInBackground(), MARKETS_REFRESH_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    this.markets = await loadMarkets(this.dataSource);
  }

  /**
   * One background refresh. A failure (the database away for a moment) keeps the markets read
   * last, which stay right until an operator changes one, and the next tick tries again; it is
   * logged and counted, never swallowed, so a refresh that keeps failing shows.
   */
  async refreshInBackground(): Promise<void> {
    try {
      await this.refresh();
    } catch (error) {
      this.failures.inc();
      this.logger.warn(
        { err: error, retryInMs: MARKETS_REFRESH_INTERVAL_MS },
        'order-service could not re-read the markets; TX1 keeps the markets it read last',
      );
    }
  }

  get(symbol: string): Market | undefined {
    return this.markets.get(symbol);
  }

  all(): Market[] {
    return [...this.markets.values()];
  }
}
