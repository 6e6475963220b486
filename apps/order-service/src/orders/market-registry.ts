import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadMarkets } from '@app/database';
import type { Market } from '@app/domain';

import { MARKETS_REFRESH_INTERVAL_MS } from './orders.constants';

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
