export * from './bootstrap';
export * from './health.controller';
export * from './lifecycle';
export * from './platform.module';
export * from './readiness';
export * from './redis';
export * from './redis.module';
