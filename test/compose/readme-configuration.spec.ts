// Proves the README's Configuration table stays true to the code: every variable a service's
// settings class reads is documented, and the table names no variable that nothing reads.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatewaySettings } from '../../apps/gateway/src/gateway.settings';
import { MarketDataSettings } from '../../apps/market-data/src/market-data.settings';
import { MatchingEngineSettings } from '../../apps/matching-engine/src/matching-engine.settings';
import { OrderServiceSettings } from '../../apps/order-service/src/order-service.settings';

const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
const section = readme.slice(
  readme.indexOf('## Configuration'),
  readme.indexOf('## Operator quick start'),
);
const documented = new Set([...section.matchAll(/^\| `([A-Z0-9_]+)`/gm)].map((match) => match[1]));

const settingsClasses: (new () => object)[] = [
  GatewaySettings,
  OrderServiceSettings,
  MatchingEngineSettings,
  MarketDataSettings,
];
const read = new Set(settingsClasses.flatMap((Settings) => Object.keys(new Settings())));

describe('README Configuration table', () => {
  it('documents every variable the services read', () => {
    expect([...read].filter((name) => !documented.has(name))).toEqual([]);
  });

  it('documents no variable that no service reads', () => {
    expect([...documented].filter((name) => !read.has(name))).toEqual([]);
  });
});
