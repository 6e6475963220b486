import {
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
} from '@nestjs/common';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { CONNECT_RETRY_ATTEMPTS, CONNECT_RETRY_DELAY_MS } from './constants';
import { dataSourceOptions, type DatabaseOptions } from './data-source';

/** Database options plus how a starting service retries its first connection. */
export interface DatabaseModuleOptions extends DatabaseOptions {
  /** Default `CONNECT_RETRY_ATTEMPTS` (10). */
  retryAttempts?: number;
  /** Default `CONNECT_RETRY_DELAY_MS` (2 000). */
  retryDelayMs?: number;
}

export interface DatabaseModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: InjectionToken[];
  // A method signature, so that a factory taking typed arguments (a config class) fits.
  useFactory(...args: unknown[]): DatabaseModuleOptions | Promise<DatabaseModuleOptions>;
}

function typeOrmModuleOptions(options: DatabaseModuleOptions): TypeOrmModuleOptions {
  return {
    ...dataSourceOptions(options),
    retryAttempts: options.retryAttempts ?? CONNECT_RETRY_ATTEMPTS,
    retryDelay: options.retryDelayMs ?? CONNECT_RETRY_DELAY_MS,
  };
}

/**
 * Nest adapter for the exchange database. It registers one global TypeORM DataSource built by
 * `dataSourceOptions` (no synchronize, no migrations on start), closed on application shutdown.
 * Services inject it as `DataSource` (from typeorm) and write SQL with `dataSource.query` or
 * `dataSource.transaction`; the readiness probe is `checkDatabase(dataSource)`.
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [TypeOrmModule.forRoot(typeOrmModuleOptions(options))],
      exports: [TypeOrmModule],
    };
  }

  static forRootAsync(options: DatabaseModuleAsyncOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          imports: options.imports ?? [],
          inject: options.inject ?? [],
          useFactory: async (...args: unknown[]) =>
            typeOrmModuleOptions(await options.useFactory(...args)),
        }),
      ],
      exports: [TypeOrmModule],
    };
  }
}
