// Jest globalSetup of the integration tier (see tools/infra/src/jest-engines.ts).
require('@swc-node/register');
module.exports = () => require('../infra/src/jest-engines.ts').setup();
