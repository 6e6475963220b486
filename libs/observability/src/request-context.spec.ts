// Proves that request ids flow through async work and that malformed ids from outside are
// replaced rather than trusted.
import { acceptRequestId, currentRequestId, runWithRequestId } from './request-context';

describe('request context', () => {
  it('carries the id through awaits', async () => {
    const seen = await runWithRequestId('req-1', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return currentRequestId();
    });
    expect(seen).toBe('req-1');
    expect(currentRequestId()).toBeUndefined();
  });

  it('keeps well-formed ids and replaces others', () => {
    expect(acceptRequestId('abc-123')).toBe('abc-123');
    for (const bad of ['', 'a b', 'x'.repeat(129), undefined, 42, 'line\nbreak']) {
      const id = acceptRequestId(bad);
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
