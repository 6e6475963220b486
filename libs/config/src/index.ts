export * from './load-config';
export * from './converters';
export * from './settings';
