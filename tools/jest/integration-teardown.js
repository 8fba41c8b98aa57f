// Jest globalTeardown of the integration tier (see tools/infra/src/jest-engines.ts).
module.exports = () => require('../infra/src/jest-engines.ts').teardown();
