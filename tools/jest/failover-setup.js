// Jest globalSetup of the failover tier (see tools/infra/src/jest-cluster.ts).
require('@swc-node/register');
module.exports = () => require('../infra/src/jest-cluster.ts').setup();
