import { randomBytes } from 'node:crypto';

/**
 * A short identifier unique to one test file's run, used to name its database, Kafka topic
 * prefix and Redis key prefix so that concurrent runs never collide.
 */
export function newRunId(label = 't'): string {
  const safe =
    label
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')
      .slice(0, 12) || 't';
  return `${safe}_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}
