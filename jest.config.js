// Three tiers, selectable with --selectProjects: unit specs beside the code (fakes at I/O
// adapters only), integration specs against the real engines, and end-to-end specs that start
// the services as processes; `failover`, end-to-end on the local three-node cluster; and `compose`, the smoke test of the images run by
// docker/compose.yaml (needs Docker and `npm run images`).
require('./tools/infra/src/node-version').assertProjectNode();
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
      // Engines as containers (testcontainers) or the local processes: CHAT_TEST_ENGINES, see
      // tools/jest/integration-engines.ts.
      globalSetup: '<rootDir>/tools/jest/integration-setup.js',
      globalTeardown: '<rootDir>/tools/jest/integration-teardown.js',
    },
    {
      ...preset,
      displayName: 'e2e',
      testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'],
      // Specs written for the RabbitMQ pass only (below).
      testPathIgnorePatterns: ['/node_modules/', '-rabbitmq\\.e2e-spec\\.ts$'],
    },
    {
      // The same system on RabbitMQ (BUS=rabbitmq, set per spec file by the setup file), on the
      // specs that exercise the bus: cross-gateway delivery and a messaging instance killed mid-burst
      // (delivery), the send path at full rate (send-flood), the sequencer's ownership faults: an
      // owner paused past its heartbeat, killed, and a retry across an owner change (send-faults),
      // the broker cut off under load (send-faults-rabbitmq: the shared broker's connections are
      // cut through a TCP proxy, never the broker killed), and `npm start -- --bus rabbitmq`.
      // What the rest of the suite checks (auth, files, presence, web client, engine outages of
      // Cassandra, PostgreSQL, Redis, S3) does not depend on the bus and runs once, on Kafka: the
      // RabbitMQ pass must stay within about 8 minutes of CI time.
      ...preset,
      displayName: 'e2e-rabbitmq',
      setupFiles: ['<rootDir>/e2e/support/bus-rabbitmq.setup.js'],
      testMatch: [
        '<rootDir>/e2e/messaging/delivery.e2e-spec.ts',
        '<rootDir>/e2e/messaging/send-flood.e2e-spec.ts',
        '<rootDir>/e2e/resilience/send-faults.e2e-spec.ts',
        '<rootDir>/e2e/**/*-rabbitmq.e2e-spec.ts',
      ],
    },
    {
      // Its own tier, so that its time shows: the services on the local three-node Kafka and
      // Cassandra cluster (`infra:up -- --cluster`, started by the globalSetup), nodes killed under load.
      ...preset,
      displayName: 'failover',
      testMatch: ['<rootDir>/e2e/failover/**/*.failover-spec.ts'],
      globalSetup: '<rootDir>/tools/jest/failover-setup.js',
      globalTeardown: '<rootDir>/tools/jest/failover-teardown.js',
    },
    {
      ...preset,
      displayName: 'compose',
      testMatch: ['<rootDir>/e2e/compose/**/*.compose-spec.ts'],
    },
  ],
};
