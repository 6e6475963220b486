// Proves that settings are read from the environment with defaults, and that a missing or
// malformed value stops loading with a message naming the variable.
import { IsString, MinLength } from 'class-validator';
import { ConfigError, loadConfig } from './load-config';
import { BaseSettings, withDatabase, withKafka, withRedis } from './settings';

class Settings extends withRedis(withKafka(withDatabase(BaseSettings))) {}

class RequiredSecret extends BaseSettings {
  @IsString()
  @MinLength(16)
  SECRET = '';
}

describe('loadConfig', () => {
  it('applies defaults when nothing is set', () => {
    const config = loadConfig(Settings, {});
    expect(config.PORT).toBe(3000);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.DATABASE_URL).toMatch(/^postgres:/);
    expect(config.REDIS_KEY_PREFIX).toBe('ex:');
  });

  it('converts numbers and lists', () => {
    const config = loadConfig(Settings, {
      PORT: '4100',
      KAFKA_BROKERS: 'a:9092, b:9093',
      LOG_LEVEL: 'debug',
    });
    expect(config.PORT).toBe(4100);
    expect(config.KAFKA_BROKERS).toEqual(['a:9092', 'b:9093']);
    expect(config.LOG_LEVEL).toBe('debug');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '3.5'],
    ['LOG_LEVEL', 'loud'],
    ['DATABASE_URL', 'mysql://x'],
    ['KAFKA_BROKERS', 'no-port'],
    ['REDIS_URL', 'http://x'],
    ['SHUTDOWN_TIMEOUT_MS', '-1'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    let error: unknown;
    try {
      loadConfig(Settings, { [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('CONFIG_INVALID');
    expect((error as ConfigError).message).toContain(`${name}=`);
  });

  it('never echoes the value of a credential', () => {
    expect(() => loadConfig(RequiredSecret, { SECRET: 'short-but-real' })).toThrow(
      /SECRET=\(hidden\)/,
    );
    expect(() => loadConfig(RequiredSecret, { SECRET: 'short-but-real' })).not.toThrow(
      /short-but-real/,
    );
  });

  it('reports a missing required setting and every problem at once', () => {
    expect(() => loadConfig(RequiredSecret, { PORT: 'x' })).toThrow(
      /SECRET=\(unset\).*PORT="x"|PORT="x".*SECRET=\(unset\)/,
    );
  });
});
