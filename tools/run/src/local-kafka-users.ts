// Locally, too, each service logs in to Kafka as its own SCRAM-SHA-512 user, allowed only the ACLs
// of its row of the topic table (kafkaAcls of tools/deploy-checks, with the run's topic prefix), as
// in compose and Kubernetes. The services connect to the local broker's SASL listener
// (KAFKA_SASL_PORT); its PLAINTEXT listener, whose anonymous principal is the super user, stays
// open for the test tiers and tools. At every start `npm start` creates or updates the run's users,
// creates the run's topics (the users may not) and sets their ACLs, through PLAINTEXT, with the
// compose broker's own setup program (docker/engines/kafka/KafkaSetup.java). Other runs' users and
// ACLs are left alone. The passwords are generated once into .local/.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderKafkaAccess, type Service, SERVICES } from '@chat/deploy-checks/kafka-access';
import { runKafkaSetup } from '@chat/infra/kafka-setup';
import { localSecretFile } from './local-secrets';

export interface LocalKafkaUser {
  service: Service;
  username: string;
  password: string;
}

/** The users of one `npm start` (run names isolate them like the data: chat-<run>-<service>). */
export function localKafkaUsers(run: string | null, dir?: string): LocalKafkaUser[] {
  const owner = `chat-${run ?? 'local'}`;
  return SERVICES.map((service) => ({ service, username: `${owner}-${service}`, password: localSecretFile(`kafka-${service}-password`, dir) }));
}

/** KAFKA_TOPIC_PREFIX of a run (services.ts sets the same). */
export function runTopicPrefix(run: string | null): string {
  return run ? `${run}.` : '';
}

/** KafkaSetup.java's access file for a run: its topics and its users' ACLs, under its prefix. */
export function renderLocalKafkaAccess(run: string | null, users: readonly LocalKafkaUser[]): string {
  const userName = (service: Service): string => {
    const user = users.find((u) => u.service === service);
    if (!user) throw new Error(`no Kafka user for ${service}`);
    return user.username;
  };
  return renderKafkaAccess({
    header: [`npm start's Kafka users and topics of run ${run ?? '(none)'} (tools/run/src/local-kafka-users.ts)`],
    prefix: runTopicPrefix(run),
    userName,
  });
}

/** Creates or updates the users, the run's topics and exactly their ACLs, through `bootstrap` (a super user's listener). */
export async function ensureKafkaUsers(bootstrap: string, run: string | null, users: readonly LocalKafkaUser[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'chat-kafka-access-'));
  try {
    const accessFile = join(dir, 'access.conf');
    writeFileSync(accessFile, renderLocalKafkaAccess(run, users));
    return await runKafkaSetup({
      bootstrap,
      accessFile,
      passwords: Object.fromEntries(users.map((u) => [u.username, u.password])),
      aclScope: 'users',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
