/** @type {import('jest').Config} */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

// The Agent SDK is ESM-only. Node 20 loads it from CommonJS, but jest's own loader cannot, so
// its .mjs files are compiled to CommonJS like our sources.
const swcMjs = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  },
];

const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  rootDir: __dirname,
  testMatch: [`<rootDir>/test/${name}/**/*.spec.ts`],
  transform: { '^.+\\.ts$': swc, '^.+\\.mjs$': swcMjs },
  transformIgnorePatterns: ['/node_modules/(?!@anthropic-ai/claude-agent-sdk/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  setupFiles: ['reflect-metadata', '<rootDir>/test/utils/silent-logger.ts'],
  ...extra,
});

module.exports = {
  // Two workers on this 2-core machine (jest's default would be one): most test time waits on
  // real processes (the Claude Code CLI, the daemon), so two files at a time take about 40 % less.
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/utils/plain-summary-reporter.js'],
  projects: [
    project('unit'),
    project('e2e', { testTimeout: 30_000 }),
    project('load', { testTimeout: 120_000 }),
    project('chaos', { testTimeout: 120_000 }),
  ],
};
