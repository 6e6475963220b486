import type { IHeaders } from 'kafkajs';
import { Counter } from 'prom-client';
import { getOrCreate, metricsRegistry } from '@app/observability';
import { readHeader } from './headers';
import { MESSAGE_HEADERS, SCHEMA_VERSION } from './topics';

/**
 * The value schema versions this build reads. Every producer writes SCHEMA_VERSION in
 * `x-schema-version`; a consumer that meets a version outside this list refuses the record
 * instead of misreading it (a newer producer ahead of an older consumer during a rollout).
 */
export const SCHEMA_VERSIONS_KNOWN: readonly number[] = [SCHEMA_VERSION];

/**
 * The version a record is read as, or why it is refused. A record without the header is read as
 * version 1: every service has written the header since version 1, the first, so only a writer
 * from before versions (tools and tests that produce raw records) omits it, and it wrote
 * version 1. A header that is not a known version (text, a number this build does not know) is
 * refused.
 */
export type SchemaVersionCheck =
  { readonly ok: true; readonly version: number } | { readonly ok: false; readonly header: string };

/** Pure: the version of a record with these headers, checked against `known`. */
export function checkSchemaVersion(
  headers: IHeaders | undefined,
  known: readonly number[] = SCHEMA_VERSIONS_KNOWN,
): SchemaVersionCheck {
  const header = readHeader(headers, MESSAGE_HEADERS.schemaVersion);
  if (header === undefined) return { ok: true, version: 1 };
  const version = /^[1-9][0-9]{0,8}$/.test(header) ? Number(header) : undefined;
  if (version === undefined || !known.includes(version)) return { ok: false, header };
  return { ok: true, version };
}

/**
 * A record whose schema version this build does not know. Consumers stop at it (the partition is
 * retried with back-off, so the lag and the progress guard show the stall) instead of skipping
 * it or reading it with the wrong schema; upgrading the consumer resumes it.
 */
export class SchemaVersionError extends Error {
  override readonly name = 'SchemaVersionError';
  readonly code = 'UNKNOWN_SCHEMA_VERSION';

  constructor(
    readonly topic: string,
    readonly header: string,
    readonly known: readonly number[],
    where: { partition?: number; offset?: string } = {},
  ) {
    const at =
      where.partition === undefined ? '' : ` partition ${where.partition} offset ${where.offset}`;
    super(
      `${topic}${at} carries ${MESSAGE_HEADERS.schemaVersion} "${header}", which this build ` +
        `does not read (it reads ${known.join(', ')}); the record was not applied. Upgrade this ` +
        `consumer to a build that reads it, or roll the producer back.`,
    );
  }
}

/**
 * Refusals counted by topic and the header's text (cut to 16 characters, so a garbage header
 * cannot grow the label set without bound).
 */
function refusals(): Counter<'topic' | 'version'> {
  return getOrCreate(
    'messaging_schema_version_refusals_total',
    () =>
      new Counter({
        name: 'messaging_schema_version_refusals_total',
        help: 'Consumed records refused because their x-schema-version is one this build does not read',
        labelNames: ['topic', 'version'] as const,
        registers: [metricsRegistry],
      }),
  );
}

/**
 * The check consumers call on every record before decoding its value: returns the version to
 * read it as, or counts the refusal (`messaging_schema_version_refusals_total`) and throws a
 * SchemaVersionError naming the topic, partition, offset and versions.
 */
export function assertKnownSchemaVersion(
  headers: IHeaders | undefined,
  topic: string,
  where: { partition?: number; offset?: string } = {},
  known: readonly number[] = SCHEMA_VERSIONS_KNOWN,
): number {
  const check = checkSchemaVersion(headers, known);
  if (check.ok) return check.version;
  refusals().inc({ topic, version: check.header.slice(0, 16) });
  throw new SchemaVersionError(topic, check.header, known, where);
}
