// Three tiers, selectable with --selectProjects: unit specs beside the code (fakes at I/O
// adapters only), integration specs against the real engines, and end-to-end specs that start
// the services as processes.
const preset = require('./jest.preset');

module.exports = {
  // Jest 29 reads testTimeout only here, not per project: integration and e2e specs need minutes.
  testTimeout: 120_000,
  reporters: ['default', '<rootDir>/tools/jest/summary-reporter.js'],
  projects: [
    { ...preset, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'] },
    {
      ...preset,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.int-spec.ts'],
    },
    {
      ...preset,
      displayName: 'e2e',
      testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'],
    },
  ],
};
