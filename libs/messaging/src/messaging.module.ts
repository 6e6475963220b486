import {
  Module,
  type DynamicModule,
  type FactoryProvider,
  type ModuleMetadata,
} from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { createKafka, type KafkaLogLevel, type KafkaLogSink } from './kafka-client';
import { checkKafka, type KafkaClusterInfo } from './health';
import { topicName } from './topics';

/** Injection tokens. */
export const KAFKA = Symbol('KAFKA');
export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
export const KAFKA_HEALTH = Symbol('KAFKA_HEALTH');

export interface MessagingModuleOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Prepended to every topic name (KAFKA_TOPIC_PREFIX); empty in production. */
  readonly topicPrefix: string;
  readonly logLevel?: KafkaLogLevel;
  readonly log?: KafkaLogSink;
}

/** The health check as an injectable function, for a terminus indicator or readiness probe. */
export type KafkaHealthCheck = () => Promise<KafkaClusterInfo>;

/** Resolves a logical topic to its physical name under the configured prefix. */
export class TopicNames {
  constructor(private readonly prefix: string) {
    // Fail at startup on a bad prefix, not at the first publish.
    topicName(prefix, 'probe');
  }

  of(logical: string): string {
    return topicName(this.prefix, logical);
  }
}

const providers: FactoryProvider[] = [
  {
    provide: KAFKA,
    inject: [MESSAGING_OPTIONS],
    useFactory: (o: MessagingModuleOptions) =>
      createKafka({ brokers: o.brokers, clientId: o.clientId, logLevel: o.logLevel, log: o.log }),
  },
  {
    provide: KAFKA_HEALTH,
    inject: [KAFKA],
    useFactory:
      (kafka: Kafka): KafkaHealthCheck =>
      () =>
        checkKafka(kafka),
  },
  {
    provide: TopicNames,
    inject: [MESSAGING_OPTIONS],
    useFactory: (o: MessagingModuleOptions) => new TopicNames(o.topicPrefix),
  },
];

const exported = [KAFKA, KAFKA_HEALTH, TopicNames, MESSAGING_OPTIONS];

/**
 * Provides the kafkajs client (`@Inject(KAFKA)`), its health check (`@Inject(KAFKA_HEALTH)`) and
 * `TopicNames`. Producers and consumers are created by the modules that own them, with the
 * factories of this library, because their lifetimes differ (an engine's producer lives as
 * long as its leadership).
 */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [{ provide: MESSAGING_OPTIONS, useValue: options }, ...providers],
      exports: exported,
    };
  }

  static forRootAsync(options: {
    imports?: ModuleMetadata['imports'];
    inject?: FactoryProvider['inject'];
    useFactory: (...args: never[]) => MessagingModuleOptions | Promise<MessagingModuleOptions>;
  }): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        {
          provide: MESSAGING_OPTIONS,
          inject: options.inject ?? [],
          useFactory: options.useFactory,
        },
        ...providers,
      ],
      exports: exported,
    };
  }
}
