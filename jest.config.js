// Jest runs three projects: unit (pure logic, beside the code), integration (real PostgreSQL,
// Redis and Kafka) and e2e (services as real processes). scripts/test.mjs runs them all.
const fs = require('node:fs');
const path = require('node:path');

const swcrc = JSON.parse(fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
// Jest resolves the @app/* aliases itself (moduleNameMapper), so swc need not rewrite them.
delete swcrc.jsc.paths;
delete swcrc.jsc.baseUrl;
delete swcrc.$schema;

const transform = { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] };
const moduleNameMapper = {
  '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src',
  '^@app/([a-z-]+)/(.*)$': '<rootDir>/libs/$1/src/$2',
};
const common = {
  rootDir: __dirname,
  transform,
  moduleNameMapper,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.cache/'],
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,test}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts'],
      setupFiles: ['<rootDir>/libs/testing/src/jest-setup.ts'],
      slowTestThreshold: 30,
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/{apps,test}/**/*.e2e-spec.ts'],
      setupFiles: ['<rootDir>/libs/testing/src/jest-setup.ts'],
      slowTestThreshold: 60,
    },
  ],
};
