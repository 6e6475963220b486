// @app/auth: how services authenticate callers. A framework-free core (internal identities
// signed by the gateway, the operator token, API keys and their encryption, trader request
// signatures) and small Nest guards on top.
export * from './admin-credential';
export * from './api-key';
export * from './constants';
export * from './crypto-util';
export * from './development-defaults';
export * from './internal-identity';
export * from './request-signature';
export * from './secret-box';
export * from './nest/admin.guard';
export * from './nest/auth-options';
export * from './nest/auth-rejected.exception';
export * from './nest/auth.module';
export * from './nest/current-user.decorator';
export * from './nest/internal-identity.guard';
export * from './settings/production-secret.decorator';
