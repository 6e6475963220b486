// Proves docker-compose.yml stays consistent with the code: every app service runs the right
// entry point, publishes the port it listens on, sets only variables its settings class reads,
// and those values pass the same validation the service applies at boot.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '@app/config';
import { GatewaySettings } from '../../apps/gateway/src/gateway.settings';
import { MarketDataSettings } from '../../apps/market-data/src/market-data.settings';
import { MatchingEngineSettings } from '../../apps/matching-engine/src/matching-engine.settings';
import { OrderServiceSettings } from '../../apps/order-service/src/order-service.settings';

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
}

const compose = parse(readFileSync(join(__dirname, '../../docker-compose.yml'), 'utf8'), {
  merge: true,
}) as { services: Record<string, ComposeService> };

/** Compose service, app, settings class, and the port `npm run up` gives it (README, Ports). */
const apps: [string, string, new () => object, number][] = [
  ['gateway', 'gateway', GatewaySettings, 3000],
  ['order-service', 'order-service', OrderServiceSettings, 3001],
  ['matching-engine-a', 'matching-engine', MatchingEngineSettings, 3002],
  ['matching-engine-b', 'matching-engine', MatchingEngineSettings, 3003],
  ['market-data', 'market-data', MarketDataSettings, 3004],
];

describe('docker-compose.yml', () => {
  it('declares the infrastructure and every app service', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [...apps.map(([name]) => name), 'kafka', 'migrate', 'postgres', 'redis'].sort(),
    );
  });

  it.each(apps)('%s matches the code (%s)', (name, app, Settings, port) => {
    const service = compose.services[name];
    expect(service.command).toEqual([
      'node',
      '--enable-source-maps',
      `dist/apps/${app}/src/main.js`,
    ]);
    const environment = service.environment ?? {};
    const known = Object.keys(new Settings());
    for (const variable of Object.keys(environment)) expect(known).toContain(variable);
    const settings = loadConfig(Settings as new () => { PORT: number }, environment);
    expect(settings.PORT).toBe(port);
    expect(service.ports).toEqual([`${port}:${port}`]);
  });

  it('points the apps at the compose infrastructure', () => {
    const env = (name: string) => compose.services[name].environment ?? {};
    for (const [name] of apps) {
      const vars = env(name);
      if (vars.DATABASE_URL) expect(vars.DATABASE_URL).toContain('@postgres:5432/');
      if (vars.KAFKA_BROKERS) expect(vars.KAFKA_BROKERS).toBe('kafka:9092');
      if (vars.REDIS_URL) expect(vars.REDIS_URL).toBe('redis://redis:6379');
    }
    expect(env('gateway').ORDER_SERVICE_URL).toBe(
      `http://order-service:${env('order-service').PORT}`,
    );
    expect(env('gateway').MARKET_DATA_URL).toBe(`http://market-data:${env('market-data').PORT}`);
    expect(compose.services.kafka.ports).toEqual(['9092:9092']);
  });
});
