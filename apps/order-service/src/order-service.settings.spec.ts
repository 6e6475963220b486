// Proves that the auth secrets have usable development defaults, are validated, and that
// NODE_ENV=production refuses both an unset secret and the development value, naming each; and
// that the settlement stall bound defaults to SETTLEMENT_STALL_MS and is validated.
import { ConfigError, loadConfig } from '@app/config';
import {
  DEVELOPMENT_ADMIN_API_TOKEN,
  DEVELOPMENT_API_KEY_ENCRYPTION_KEY,
  DEVELOPMENT_INTERNAL_AUTH_SECRET,
} from '@app/auth';
import { SETTLEMENT_STALL_MS } from '@app/settlement';
import { OrderServiceSettings } from './order-service.settings';

const realSecrets = {
  INTERNAL_AUTH_SECRET: 'i'.repeat(40),
  ADMIN_API_TOKEN: 'a'.repeat(30),
  API_KEY_ENCRYPTION_KEY: 'ab'.repeat(32),
};

function problems(env: Record<string, string>): string {
  try {
    loadConfig(OrderServiceSettings, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return '';
}

describe('OrderServiceSettings', () => {
  it('uses the development defaults outside production', () => {
    for (const NODE_ENV of ['development', 'test']) {
      const settings = loadConfig(OrderServiceSettings, { NODE_ENV });
      expect(settings.INTERNAL_AUTH_SECRET).toBe(DEVELOPMENT_INTERNAL_AUTH_SECRET);
      expect(settings.ADMIN_API_TOKEN).toBe(DEVELOPMENT_ADMIN_API_TOKEN);
      expect(settings.API_KEY_ENCRYPTION_KEY).toBe(DEVELOPMENT_API_KEY_ENCRYPTION_KEY);
    }
  });

  it('accepts real secrets in production', () => {
    const settings = loadConfig(OrderServiceSettings, { NODE_ENV: 'production', ...realSecrets });
    expect(settings.ADMIN_API_TOKEN).toBe(realSecrets.ADMIN_API_TOKEN);
  });

  it('refuses unset secrets in production, naming each variable', () => {
    const message = problems({ NODE_ENV: 'production' });
    for (const name of Object.keys(realSecrets)) {
      expect(message).toContain(`${name}=(unset): `);
    }
    expect(message).toContain('development default is refused');
  });

  it.each([
    ['INTERNAL_AUTH_SECRET', DEVELOPMENT_INTERNAL_AUTH_SECRET],
    ['ADMIN_API_TOKEN', DEVELOPMENT_ADMIN_API_TOKEN],
    ['API_KEY_ENCRYPTION_KEY', DEVELOPMENT_API_KEY_ENCRYPTION_KEY],
  ])('refuses the development %s set explicitly in production', (name, value) => {
    const message = problems({ NODE_ENV: 'production', ...realSecrets, [name]: value });
    expect(message).toContain(`${name}=`);
    expect(message).toContain('development default is refused');
  });

  it.each([
    ['INTERNAL_AUTH_SECRET', 'x'.repeat(31)],
    ['ADMIN_API_TOKEN', 'x'.repeat(23)],
    ['API_KEY_ENCRYPTION_KEY', 'ab'.repeat(31)],
    ['API_KEY_ENCRYPTION_KEY', 'zz'.repeat(32)],
    ['NODE_ENV', 'prod'],
    ['SETTLEMENT_STALL_MS', '1999'],
    ['SETTLEMENT_STALL_MS', '600001'],
    ['SETTLEMENT_STALL_MS', 'soon'],
  ])('refuses a malformed %s', (name, value) => {
    expect(problems({ [name]: value })).toContain(`${name}=`);
  });

  it('bounds a settlement stall by SETTLEMENT_STALL_MS unless told otherwise', () => {
    expect(loadConfig(OrderServiceSettings, {}).SETTLEMENT_STALL_MS).toBe(SETTLEMENT_STALL_MS);
    expect(SETTLEMENT_STALL_MS).toBe(15_000);
    expect(
      loadConfig(OrderServiceSettings, { SETTLEMENT_STALL_MS: '3000' }).SETTLEMENT_STALL_MS,
    ).toBe(3_000);
  });
});
