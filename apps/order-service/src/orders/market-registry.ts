import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadMarkets } from '@app/database';
import type { Market } from '@app/domain';

/**
 * How often the markets are re-read, in milliseconds. A halt set by an operator reaches TX1
 * within this bound; the engine is the authority in the meantime and rejects with
 * MARKET_HALTED itself.
 */
export const MARKETS_REFRESH_INTERVAL_MS = 5_000;

/** The markets TX1 validates against, loaded at start and refreshed in the background. */
@Injectable()
export class MarketRegistry implements OnModuleInit, OnModuleDestroy {
  private markets = new Map<string, Market>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(
      () => void this.refresh().catch(() => undefined),
      MARKETS_REFRESH_INTERVAL_MS,
    );
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    this.markets = await loadMarkets(this.dataSource);
  }

  get(symbol: string): Market | undefined {
    return this.markets.get(symbol);
  }

  all(): Market[] {
    return [...this.markets.values()];
  }
}
