/** Injection token of `AuthOptions`. */
export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

/** What the guards need: the shared secrets, from the service's settings. */
export interface AuthOptions {
  /** INTERNAL_AUTH_SECRET: verifies identities forwarded by the gateway. */
  readonly internalAuthSecret: string;
  /** ADMIN_API_TOKEN: the operator bearer token. */
  readonly adminApiToken: string;
  /** Largest accepted identity clock skew in ms. Default `IDENTITY_CLOCK_SKEW_MS_MAX` (30 000). */
  readonly identitySkewMsMax?: number;
  /** The clock, in ms since the epoch. Default `Date.now`. */
  readonly nowMs?: () => number;
}

/** The parts of a Fastify (or Express) request the guards read and write. */
export interface AuthenticatedRequest {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly method: string;
  /** Path and query string as received. */
  readonly url: string;
  /** Set by `InternalIdentityGuard` once the identity is verified. */
  authenticatedUserId?: string;
}
