// Proves a background refresh of the markets that fails is logged and counted, and keeps the
// markets read before; with a fake database and logger, no PostgreSQL.
import type { DataSource } from 'typeorm';
import { metricsRegistry, type Logger } from '@app/observability';
import { MarketRegistry } from './market-registry';

const MARKET_ROW = {
  symbol: 'BTC-USDT',
  base_asset: 'BTC',
  quote_asset: 'USDT',
  base_scale: 8,
  quote_scale: 8,
  tick_size: '0.01',
  step_size: '0.00001',
  min_qty: '0.00001',
  max_qty: '1000',
  min_notional: '5',
  maker_fee_ppm: 1000,
  taker_fee_ppm: 2000,
  status: 'TRADING',
};

async function failureCount(): Promise<number> {
  const metric = metricsRegistry.getSingleMetric('order_service_market_refresh_failures_total');
  return (await metric?.get())?.values[0]?.value ?? 0;
}

describe('MarketRegistry background refresh', () => {
  it('logs and counts a failed refresh, and keeps the markets it had', async () => {
    let down = false;
    const dataSource = {
      query: async () => {
        if (down) throw new Error('connection terminated');
        return [MARKET_ROW];
      },
    } as unknown as DataSource;
    const warnings: unknown[][] = [];
    const logger = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger;
    const registry = new MarketRegistry(dataSource, logger);

    await registry.refreshInBackground();
    expect(registry.get('BTC-USDT')?.symbol).toBe('BTC-USDT');
    expect(warnings).toHaveLength(0);

    const before = await failureCount();
    down = true;
    await registry.refreshInBackground();
    expect(await failureCount()).toBe(before + 1);
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0][1])).toContain('could not re-read the markets');
    expect((warnings[0][0] as { err: Error }).err.message).toBe('connection terminated');
    expect(registry.get('BTC-USDT')?.symbol).toBe('BTC-USDT');
  });
});
