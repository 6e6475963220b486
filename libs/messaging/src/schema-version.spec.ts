// Proves the schema version check: a known or absent x-schema-version is read, any other header
// is refused with a clear error and counted, on pure headers without a broker.
import { metricsRegistry } from '@app/observability';
import {
  assertKnownSchemaVersion,
  checkSchemaVersion,
  SCHEMA_VERSIONS_KNOWN,
  SchemaVersionError,
} from './schema-version';
import { SCHEMA_VERSION } from './topics';

async function refusalCount(topic: string, version: string): Promise<number> {
  const metric = metricsRegistry.getSingleMetric('messaging_schema_version_refusals_total');
  const values = (await metric?.get())?.values ?? [];
  return values.find((v) => v.labels.topic === topic && v.labels.version === version)?.value ?? 0;
}

describe('checkSchemaVersion', () => {
  it('reads the version written now, as a string or a Buffer', () => {
    expect(SCHEMA_VERSIONS_KNOWN).toContain(SCHEMA_VERSION);
    expect(checkSchemaVersion({ 'x-schema-version': String(SCHEMA_VERSION) })).toEqual({
      ok: true,
      version: SCHEMA_VERSION,
    });
    expect(checkSchemaVersion({ 'x-schema-version': Buffer.from('1') }, [1])).toEqual({
      ok: true,
      version: 1,
    });
  });

  it('reads a record without the header as version 1', () => {
    expect(checkSchemaVersion(undefined)).toEqual({ ok: true, version: 1 });
    expect(checkSchemaVersion({ 'x-request-id': 'r' })).toEqual({ ok: true, version: 1 });
  });

  it('refuses a version it does not know and a header that is not a version', () => {
    for (const header of ['2', '0', '01', '1.0', ' 1', 'v1', '', '99999999999']) {
      expect(checkSchemaVersion({ 'x-schema-version': header }, [1])).toEqual({
        ok: false,
        header,
      });
    }
    expect(checkSchemaVersion({ 'x-schema-version': '2' }, [1, 2])).toEqual({
      ok: true,
      version: 2,
    });
  });
});

describe('assertKnownSchemaVersion', () => {
  it('returns the version of a known record and counts nothing', async () => {
    const before = await refusalCount('t.known', '1');
    expect(assertKnownSchemaVersion({ 'x-schema-version': '1' }, 't.known', {}, [1])).toBe(1);
    expect(await refusalCount('t.known', '1')).toBe(before);
  });

  it('throws a SchemaVersionError naming the record and the versions, and counts it', async () => {
    const before = await refusalCount('t.results', '7');
    let thrown: unknown;
    try {
      assertKnownSchemaVersion({ 'x-schema-version': '7' }, 't.results', {
        partition: 3,
        offset: '42',
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SchemaVersionError);
    const error = thrown as SchemaVersionError;
    expect(error.name).toBe('SchemaVersionError');
    expect(error.code).toBe('UNKNOWN_SCHEMA_VERSION');
    expect(error.message).toContain('t.results partition 3 offset 42');
    expect(error.message).toContain('x-schema-version "7"');
    expect(error.message).toContain(`reads ${SCHEMA_VERSIONS_KNOWN.join(', ')}`);
    expect(await refusalCount('t.results', '7')).toBe(before + 1);
  });
});
