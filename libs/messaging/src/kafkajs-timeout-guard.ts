// kafkajs 2.2.4, its latest release, schedules its request queue's throttle check with
// `throttledUntil - Date.now()` even when the connection was never throttled (throttledUntil is
// -1) and nothing is pending: a negative delay. Node.js has always run that as 1 ms; Node.js 24
// also prints a TimeoutNegativeWarning for it in every process that talks to Kafka
// (tulios/kafkajs#1751, fixed upstream but not released). In that one case this schedules the
// same check with Node's 1 ms itself, so the timing is unchanged and the warning is gone; every
// other case is kafkajs's own code. Loaded by kafka-client.ts, so wherever a client is created.
// Drop it once kafkajs releases the fix.
import { KAFKAJS_UNTHROTTLED_CHECK_DELAY_MS } from './messaging.constants';

/** The fields of kafkajs's internal RequestQueue this guard reads and writes. */
export interface RequestQueueInternals {
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  pending: readonly unknown[];
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- an internal module of kafkajs, without types
const RequestQueue = require('kafkajs/src/network/requestQueue') as {
  prototype: RequestQueueInternals & { scheduleCheckPendingRequestsUnguarded?: () => void };
};

export function guardKafkaJsRequestQueue(): void {
  const proto = RequestQueue.prototype;
  if (proto.scheduleCheckPendingRequestsUnguarded) return;
  const unguarded = proto.scheduleCheckPendingRequests;
  proto.scheduleCheckPendingRequestsUnguarded = unguarded;
  proto.scheduleCheckPendingRequests = function (this: RequestQueueInternals) {
    const negative =
      !this.throttleCheckTimeoutId &&
      this.pending.length === 0 &&
      this.throttledUntil - Date.now() < 0;
    if (!negative) return unguarded.call(this);
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, KAFKAJS_UNTHROTTLED_CHECK_DELAY_MS);
  };
}
