// Proves the Nest Kafka transport options keep the group id as given, read committed and commit manually by default.
import { Transport } from '@nestjs/microservices';
import { kafkaMicroserviceOptions } from './microservice-options';

describe('kafkaMicroserviceOptions', () => {
  const base = { brokers: ['127.0.0.1:9092'], clientId: 'market-data', groupId: 'market-data' };

  it('maps config to the Kafka transport with safe defaults', () => {
    const { transport, options } = kafkaMicroserviceOptions(base);
    expect(transport).toBe(Transport.KAFKA);
    expect(options?.postfixId).toBe('');
    expect(options?.client).toMatchObject({ clientId: 'market-data', brokers: ['127.0.0.1:9092'] });
    expect(options?.consumer).toMatchObject({ groupId: 'market-data', readUncommitted: false });
    expect(options?.subscribe).toEqual({ fromBeginning: true });
    expect(options?.run).toEqual({ autoCommit: false });
    expect(options?.producer).toMatchObject({ idempotent: true, maxInFlightRequests: 1 });
  });

  it('passes autoCommit and fromBeginning through', () => {
    const { options } = kafkaMicroserviceOptions({
      ...base,
      autoCommit: true,
      fromBeginning: false,
    });
    expect(options?.run).toEqual({ autoCommit: true });
    expect(options?.subscribe).toEqual({ fromBeginning: false });
  });

  it('copies the broker list rather than sharing it', () => {
    const brokers = ['a:1'];
    const { options } = kafkaMicroserviceOptions({ ...base, brokers });
    brokers.push('b:2');
    expect(options?.client?.brokers).toEqual(['a:1']);
  });
});
