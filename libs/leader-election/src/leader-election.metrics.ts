import { Counter, Gauge } from 'prom-client';
import { getOrCreate, metricsRegistry } from '@app/observability';
import type { LeaderElector } from './leader-elector';

/** Exports role, fencing token, renewals and failures of an elector as Prometheus metrics. */
export function instrumentLeaderElector(elector: LeaderElector, leaseName: string): void {
  const registers = [metricsRegistry];
  const role = getOrCreate(
    'leader_election_is_leader',
    () =>
      new Gauge({
        name: 'leader_election_is_leader',
        help: '1 while this process leads',
        labelNames: ['lease'],
        registers,
      }),
  );
  const token = getOrCreate(
    'leader_election_fencing_token',
    () =>
      new Gauge({
        name: 'leader_election_fencing_token',
        help: 'Fencing token of the current leadership (0 when not leader)',
        labelNames: ['lease'],
        registers,
      }),
  );
  const renewals = getOrCreate(
    'leader_election_renewals_total',
    () =>
      new Counter({
        name: 'leader_election_renewals_total',
        help: 'Successful lease renewals',
        labelNames: ['lease'],
        registers,
      }),
  );
  const failures = getOrCreate(
    'leader_election_failures_total',
    () =>
      new Counter({
        name: 'leader_election_failures_total',
        help: 'Lease queries that failed',
        labelNames: ['lease'],
        registers,
      }),
  );
  const changes = getOrCreate(
    'leader_election_role_changes_total',
    () =>
      new Counter({
        name: 'leader_election_role_changes_total',
        help: 'Role changes',
        labelNames: ['lease', 'role'],
        registers,
      }),
  );
  role.set({ lease: leaseName }, 0);
  token.set({ lease: leaseName }, 0);
  elector.on('change', (state) => {
    role.set({ lease: leaseName }, state.role === 'leader' ? 1 : 0);
    token.set({ lease: leaseName }, state.token === undefined ? 0 : Number(state.token));
    changes.inc({ lease: leaseName, role: state.role });
  });
  elector.on('renewed', () => renewals.inc({ lease: leaseName }));
  elector.on('failure', () => failures.inc({ lease: leaseName }));
}
