// Runs the compose broker's setup program (docker/engines/kafka/KafkaSetup.java, Java's
// single-file launcher) against a broker of tools/infra, on the jars of its Kafka: SCRAM users,
// topics and ACLs from an access file. `npm start` sets up its services' users with it
// (tools/run/src/local-kafka-users.ts); one program, so compose and `npm start` cannot drift.
import * as path from 'node:path';
import { kafkaEngine } from './engines/kafka';
import { ensureJava17, javaCommand } from './java';
import { REPO_ROOT, infraLayout, resolveInfraDir } from './layout';
import { lastLines } from './log-file';
import { resolveClasspath } from './maven';
import { runToCompletion } from './process';

export const KAFKA_SETUP_SOURCE = path.join(REPO_ROOT, 'docker', 'engines', 'kafka', 'KafkaSetup.java');

export interface KafkaSetupOptions {
  /** host:port of a listener whose principal is a super user (the local broker's PLAINTEXT one). */
  readonly bootstrap: string;
  /** `topic` and `acl` lines (tools/deploy-checks/src/compose-kafka-access.ts renders them). */
  readonly accessFile: string;
  /** Each user's password, by user name. */
  readonly passwords: Readonly<Record<string, string>>;
  /** `users`: stale ACLs are deleted only for the file's users (other runs' users share the broker). */
  readonly aclScope: 'all' | 'users';
}

/** The variable KafkaSetup.java reads a user's password from: KAFKA_<USER>_PASSWORD. */
export function kafkaSetupPasswordVariable(user: string): string {
  return `KAFKA_${user.toUpperCase().replaceAll('-', '_')}_PASSWORD`;
}

/** Resolves to KafkaSetup's summary line; rejects with its output's tail when it fails. */
export async function runKafkaSetup(options: KafkaSetupOptions): Promise<string> {
  await ensureJava17();
  const classpath = await resolveClasspath({
    engine: kafkaEngine.artifact,
    pomFile: kafkaEngine.pomFile,
    layout: infraLayout(resolveInfraDir(process.env, process.cwd())),
    approxDownloadMb: kafkaEngine.approxDownloadMb,
    say: () => undefined,
  });
  const passwords = Object.fromEntries(Object.entries(options.passwords).map(([user, password]) => [kafkaSetupPasswordVariable(user), password]));
  const run = await runToCompletion(
    javaCommand(),
    ['-Xmx128m', '-XX:TieredStopAtLevel=1', '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-cp', classpath.join(path.delimiter), KAFKA_SETUP_SOURCE, options.accessFile],
    { env: { ...process.env, KAFKA_SETUP_BOOTSTRAP: options.bootstrap, KAFKA_SETUP_ACL_SCOPE: options.aclScope, ...passwords } },
  );
  if (run.code !== 0) {
    throw new Error(`KafkaSetup.java failed (exit ${String(run.code ?? run.signal)}):\n${lastLines(run.output, 15).join('\n')}`);
  }
  return run.output.split('\n').find((line) => line.startsWith('kafka-setup:')) ?? lastLines(run.output, 1).join('');
}
