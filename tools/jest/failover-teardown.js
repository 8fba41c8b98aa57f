// Jest globalTeardown of the failover tier (see tools/infra/src/jest-cluster.ts).
module.exports = () => require('../infra/src/jest-cluster.ts').teardown();
