// Proves scripts/up.mjs (plain Node, which cannot import the TypeScript libs) stays true to the
// code it repeats: the exit codes of an exchange identity refusal and of a configuration error
// (which its supervisor never restarts), and the check in the compose migrate job that gates the
// services there as up.mjs does locally.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { EXCHANGE_IDENTITY_MISMATCH_EXIT_CODE } from '@app/exchange-identity';

const root = join(__dirname, '../..');

describe('exchange identity outside the services', () => {
  it('up.mjs knows the exit code of an identity refusal', () => {
    const up = readFileSync(join(root, 'scripts/up.mjs'), 'utf8');
    const match = /const IDENTITY_MISMATCH_EXIT_CODE = (\d+);/.exec(up);
    expect(Number(match?.[1])).toBe(EXCHANGE_IDENTITY_MISMATCH_EXIT_CODE);
  });

  it('up.mjs knows the exit code of a configuration error', () => {
    const up = readFileSync(join(root, 'scripts/up.mjs'), 'utf8');
    const bootstrap = readFileSync(join(root, 'libs/platform/src/bootstrap.ts'), 'utf8');
    const upCode = /const CONFIG_ERROR_EXIT_CODE = (\d+);/.exec(up)?.[1];
    const bootCode = /process\.exit\((\d+)\); \/\/ EX_CONFIG/.exec(bootstrap)?.[1];
    expect(upCode).toBeDefined();
    expect(upCode).toBe(bootCode);
  });

  it('the compose migrate job checks the identity after creating the topics', () => {
    const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), {
      merge: true,
    }) as { services: Record<string, { command?: string[] }> };
    const script = (compose.services.migrate.command ?? []).join(' ');
    expect(script.indexOf('scripts/exchange-identity.ts')).toBeGreaterThan(
      script.indexOf('scripts/topics.ts'),
    );
  });
});
