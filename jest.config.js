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

const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  rootDir: __dirname,
  testMatch: [`<rootDir>/test/${name}/**/*.spec.ts`],
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['reflect-metadata'],
  ...extra,
});

module.exports = {
  reporters: ['default', '<rootDir>/test/utils/plain-summary-reporter.js'],
  projects: [
    project('unit'),
    project('e2e', { testTimeout: 30_000 }),
    project('load', { testTimeout: 120_000 }),
    project('chaos', { testTimeout: 120_000 }),
  ],
};
