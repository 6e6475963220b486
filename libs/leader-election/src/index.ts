export * from './leader-elector';
export * from './leader-election.metrics';
