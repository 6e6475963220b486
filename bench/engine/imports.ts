// One place for the benchmark's imports from the domain library, including its test helpers.
export * from '@app/domain';
export { Prng } from '@app/domain/testing/prng';
