// The access file `npm start` hands KafkaSetup.java for a run: the run's topics and its users' ACLs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderComposeKafkaAccess } from '@chat/deploy-checks/kafka-access';
import { kafkaSetupPasswordVariable } from '@chat/infra/kafka-setup';
import { localKafkaUsers, renderLocalKafkaAccess } from './local-kafka-users';

describe('renderLocalKafkaAccess', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-users-spec-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const lines = (text: string): string[] => text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));

  it("is compose's access file with the run's prefix on every topic and group and the run's user names", () => {
    const users = localKafkaUsers('web1', dir);
    const local = lines(renderLocalKafkaAccess('web1', users));
    const compose = lines(renderComposeKafkaAccess());
    expect(local).toHaveLength(compose.length);
    const expected = compose.map((line) => {
      const f = line.split(' ');
      return f[0] === 'topic' ? `topic web1.${f[1]} ${f[2]}` : `acl chat-web1-${f[1]} ${f[2]} ${f[3]} web1.${f[4]} ${f[5]}`;
    });
    expect(local).toEqual(expected);
    expect(local).toContain('acl chat-web1-gateway group prefix web1.gateway. Read,Describe,Delete');
    expect(local).toContain('acl chat-web1-presence topic literal web1.chat.presence.signal.v1 Read,Write,Describe');
  });

  it('names unprefixed topics and the chat-local-* users without a run', () => {
    const local = lines(renderLocalKafkaAccess(null, localKafkaUsers(null, dir)));
    expect(local).toContain('topic chat.channel.command.v1 12');
    expect(local).toContain('acl chat-local-messaging group prefix messaging Read,Describe');
    expect(new Set(local.filter((l) => l.startsWith('acl ')).map((l) => l.split(' ')[1]))).toEqual(
      new Set(['chat-local-gateway', 'chat-local-auth', 'chat-local-messaging', 'chat-local-presence', 'chat-local-files']),
    );
  });

  it("passes each password in the variable KafkaSetup.java reads for the user's name", () => {
    expect(kafkaSetupPasswordVariable('chat-web1-gateway')).toBe('KAFKA_CHAT_WEB1_GATEWAY_PASSWORD');
    expect(kafkaSetupPasswordVariable('gateway')).toBe('KAFKA_GATEWAY_PASSWORD');
  });
});
