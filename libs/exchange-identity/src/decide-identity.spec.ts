// Proves the identity decision table row by row on plain observations, and that a refusal's
// message names both identities and the fix.
import { decideIdentity, type DatabaseIdentity, type IdentityObservation } from './decide-identity';
import { refusalMessage } from './refusal-message';

const D = '11111111-1111-4111-8111-111111111111';
const L = '22222222-2222-4222-8222-222222222222';
const META = 't_x.exchange.meta';

const bound = (exchangeId: string): DatabaseIdentity => ({
  exchangeId,
  boundAt: new Date('2030-01-02T03:04:05Z'),
  logTopic: META,
});
const unbound = (exchangeId: string): DatabaseIdentity => ({
  exchangeId,
  boundAt: null,
  logTopic: null,
});
const ahead = [
  { topic: 't_x.exchange.engine.results', partition: 3, lastOffset: 41n, endOffset: 7n },
];

function observe(overrides: Partial<IdentityObservation>): IdentityObservation {
  return {
    database: null,
    log: null,
    logHistory: [],
    databaseHistory: [],
    checkpointsAhead: [],
    ...overrides,
  };
}

describe('decideIdentity', () => {
  it.each<[string, Partial<IdentityObservation>, ReturnType<typeof decideIdentity>]>([
    ['bound, log without identity', { database: bound(D) }, refuse('LOG_HAS_NO_IDENTITY')],
    [
      'bound, log without identity, even with records on both sides',
      { database: bound(D), logHistory: ['orders'], databaseHistory: ['orders'] },
      refuse('LOG_HAS_NO_IDENTITY'),
    ],
    ['bound, log names another', { database: bound(D), log: L }, refuse('IDENTITIES_DIFFER')],
    ['bound, log names it', { database: bound(D), log: D }, { action: 'accept' }],
    [
      'bound, log names it, settlement past the log',
      { database: bound(D), log: D, checkpointsAhead: ahead },
      refuse('LOG_BEHIND_DATABASE'),
    ],
    ['unbound, log names it', { database: unbound(D), log: D }, { action: 'complete' }],
    [
      'unbound, log names it, settlement past the log',
      { database: unbound(D), log: D, checkpointsAhead: ahead },
      refuse('LOG_BEHIND_DATABASE'),
    ],
    [
      'unbound, log names another',
      { database: unbound(D), log: L },
      refuse('DATABASE_NOT_BOUND_TO_LOG'),
    ],
    ['no identity, log names one', { log: L }, refuse('DATABASE_NOT_BOUND_TO_LOG')],
    ['both empty', {}, { action: 'bind', adopt: false }],
    ['unbound, empty log', { database: unbound(D) }, { action: 'bind', adopt: false }],
    [
      'no identities, log has records, database none',
      { logHistory: ['t_x.exchange.orders'] },
      refuse('LOG_HAS_RECORDS'),
    ],
    [
      'unbound, log has records, database none',
      { database: unbound(D), logHistory: ['t_x.exchange.engine.results'] },
      refuse('LOG_HAS_RECORDS'),
    ],
    [
      'no identities, database has orders, log never held a record',
      { databaseHistory: ['orders'] },
      refuse('DATABASE_HAS_RECORDS'),
    ],
    [
      'no identities, records on both sides (an exchange from before identities)',
      { logHistory: ['t_x.exchange.orders'], databaseHistory: ['orders'] },
      { action: 'bind', adopt: true },
    ],
    [
      'no identities, records on both sides, settlement past the log',
      {
        logHistory: ['t_x.exchange.orders'],
        databaseHistory: ['settled results'],
        checkpointsAhead: ahead,
      },
      refuse('LOG_BEHIND_DATABASE'),
    ],
  ])('%s', (_name, overrides, expected) => {
    expect(decideIdentity(observe(overrides))).toEqual(expected);
  });
});

describe('refusalMessage', () => {
  it('names both identities, where each was found, the reason and the fix', () => {
    const message = refusalMessage(
      'IDENTITIES_DIFFER',
      observe({ database: bound(D), log: L }),
      META,
    );
    expect(message).toContain(
      `database: exchange ${D} (bound to log topic ${META} at 2030-01-02T03:04:05.000Z)`,
    );
    expect(message).toContain(`log: exchange ${L} (first record of ${META})`);
    expect(message).toContain('name different exchanges');
    expect(message).toContain('npm run up -- --reset');
    expect(message).toContain('restore a database and a log of the same exchange, never mix them');
    expect(message).not.toContain('\n');
  });

  it('says which side has no identity and what records the other holds', () => {
    const message = refusalMessage(
      'LOG_HAS_RECORDS',
      observe({ logHistory: ['t_x.exchange.orders', 't_x.exchange.engine.results'] }),
      META,
    );
    expect(message).toContain('database: no exchange identity');
    expect(message).toContain(`log: no exchange identity in ${META}`);
    expect(message).toContain('t_x.exchange.orders, t_x.exchange.engine.results');
  });

  it('names the checkpoints that are past the log', () => {
    const message = refusalMessage(
      'LOG_BEHIND_DATABASE',
      observe({ database: bound(D), log: D, checkpointsAhead: ahead }),
      META,
    );
    expect(message).toContain(
      't_x.exchange.engine.results partition 3: settled to offset 41, log ends at 7',
    );
  });
});

function refuse(reason: string): ReturnType<typeof decideIdentity> {
  return { action: 'refuse', reason } as ReturnType<typeof decideIdentity>;
}
