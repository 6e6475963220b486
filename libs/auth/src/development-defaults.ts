// Values services use for local runs when the variable is unset. They are public (they are in
// this repository), so a service started with NODE_ENV=production refuses them: see the
// settings classes that use them.

/** INTERNAL_AUTH_SECRET for local runs; the gateway and order-service must share it. */
export const DEVELOPMENT_INTERNAL_AUTH_SECRET = 'development-only-internal-auth-secret-0001';

/** ADMIN_API_TOKEN for local runs. */
export const DEVELOPMENT_ADMIN_API_TOKEN = 'development-only-admin-token-0001';

/** API_KEY_ENCRYPTION_KEY for local runs (64 hex characters, 32 bytes). */
export const DEVELOPMENT_API_KEY_ENCRYPTION_KEY =
  '646576656c6f706d656e742d6f6e6c792d6170692d6b65792d6b65792d303031';
