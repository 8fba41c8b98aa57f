// Jest globalSetup / globalTeardown of the integration tier: where its engines come from.
//   CHAT_TEST_ENGINES=containers  Kafka, Cassandra, S3Proxy, PostgreSQL and Redis in containers
//                                 (testcontainers, tools/infra/src/containers.ts), on free host
//                                 ports; the engine images are built first when missing
//                                 (tools/images/build.sh); removed when the run ends.
//   CHAT_TEST_ENGINES=processes   the local engines of `npm run infra:up` (127.0.0.1:9092, …).
//   unset                         containers where a Docker daemon answers, else processes.
// The specs read their engines from KAFKA_BROKERS, CASSANDRA_CONTACT_POINTS, S3_ENDPOINT,
// POSTGRES_URL, POSTGRES_ADMIN_URL and REDIS_URL; set here, the test workers inherit them.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ENGINE_IMAGES, type EngineContainers, startEngineContainers, testEngineMode } from './containers';

// On globalThis, as Jest documents for state shared by globalSetup and globalTeardown.
const shared = globalThis as typeof globalThis & { chatEngineContainers?: EngineContainers };

export async function setup(): Promise<void> {
  const mode = testEngineMode();
  if (mode === 'processes') {
    process.stdout.write('\nintegration engines: local processes (npm run infra:up); CHAT_TEST_ENGINES=containers for testcontainers\n');
    return;
  }
  const missing = Object.entries(ENGINE_IMAGES).filter(([, image]) => !imageExists(image));
  if (missing.length > 0) {
    process.stdout.write(`\nintegration engines: building ${missing.map(([name]) => name).join(', ')} (npm run images)\n`);
    execFileSync('bash', [join(__dirname, '..', '..', 'images', 'build.sh'), ...missing.map(([name]) => name)], { stdio: 'inherit' });
  }
  // Ryuk (the reaper) is an image from a registry; without one, the teardown removes the containers.
  process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
  process.env['TESTCONTAINERS_HOST_OVERRIDE'] ??= '127.0.0.1';
  const started = Date.now();
  const engines = await startEngineContainers();
  shared.chatEngineContainers = engines;
  Object.assign(process.env, engines.env);
  process.stdout.write(
    `\nintegration engines: containers (testcontainers) ready in ${((Date.now() - started) / 1000).toFixed(0)} s: ` +
      `Kafka ${engines.env.KAFKA_BROKERS}, Cassandra ${engines.env.CASSANDRA_CONTACT_POINTS}, S3 ${engines.env.S3_ENDPOINT}, ` +
      `${engines.env.POSTGRES_ADMIN_URL}, ${engines.env.REDIS_URL}\n`,
  );
}

/**
 * Removes the containers. testcontainers' Docker client keeps its connection to the daemon open in
 * Jest's own process afterwards, which would hold Jest after the last spec: the tier runs with
 * --forceExit (package.json), after this teardown has stopped everything it started.
 */
export async function teardown(): Promise<void> {
  await shared.chatEngineContainers?.stop();
  delete shared.chatEngineContainers;
}

function imageExists(image: string): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
