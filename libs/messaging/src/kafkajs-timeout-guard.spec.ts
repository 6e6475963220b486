// Proves the kafkajs request-queue guard: the never-throttled, nothing-pending check is scheduled
// at 1 ms (not at the negative delay Node.js 24 warns about), and the other cases keep kafkajs's
// own delays; driven on kafkajs's real prototype with jest's fake timers.
import './kafka-client';
import type { RequestQueueInternals } from './kafkajs-timeout-guard';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs internals, untyped
const requestQueuePrototype = require('kafkajs/src/network/requestQueue').prototype as object;

function queue(fields: Partial<RequestQueueInternals>): RequestQueueInternals {
  const instance = Object.create(requestQueuePrototype) as RequestQueueInternals;
  return Object.assign(instance, {
    throttledUntil: -1,
    throttleCheckTimeoutId: null,
    pending: [],
    checkPendingRequests: jest.fn(),
    ...fields,
  });
}

describe('kafkajs request-queue guard', () => {
  let delays: number[];
  beforeEach(() => {
    jest.useFakeTimers();
    delays = [];
    const real = global.setTimeout;
    jest.spyOn(global, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      delays.push(ms ?? 0);
      return real(fn, ms);
    }) as typeof setTimeout);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  it('schedules the unthrottled, idle check at 1 ms instead of a negative delay', () => {
    const q = queue({});
    q.scheduleCheckPendingRequests();
    expect(delays).toEqual([1]);
    jest.advanceTimersByTime(1);
    expect(q.checkPendingRequests).toHaveBeenCalledTimes(1);
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it("keeps kafkajs's delays when throttled or when requests are pending", () => {
    queue({ throttledUntil: Date.now() + 500 }).scheduleCheckPendingRequests();
    queue({ pending: [{}] }).scheduleCheckPendingRequests();
    expect(delays[0]).toBeGreaterThan(400);
    expect(delays[1]).toBe(10);
  });

  it('does not schedule a second check while one is scheduled', () => {
    queue({
      throttleCheckTimeoutId: setTimeout(() => undefined, 5),
    }).scheduleCheckPendingRequests();
    expect(delays).toEqual([5]);
  });
});
