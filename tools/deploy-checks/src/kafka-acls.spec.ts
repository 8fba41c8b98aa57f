// The derivation of each service's Kafka ACLs from its topic table.
import { allTopics, kafkaAcls, SERVICES } from './kafka-acls';

const grants = (service: Parameters<typeof kafkaAcls>[0]): Record<string, string> =>
  Object.fromEntries(kafkaAcls(service).map((a) => [`${a.resource.type}:${a.resource.patternType}:${a.resource.name}`, a.operations.join(',')]));

describe('kafkaAcls', () => {
  it('grants auth Write on what it publishes and only Describe on their dead letters, and no group', () => {
    expect(grants('auth')).toEqual({
      'topic:literal:chat.auth.session-revoked.v1': 'Write,Describe',
      'topic:literal:chat.auth.session-revoked.v1.dlq': 'Describe',
      'topic:literal:chat.user.registered.v1': 'Write,Describe',
      'topic:literal:chat.user.registered.v1.dlq': 'Describe',
    });
  });

  it('merges the grants of a topic a service both consumes and produces, and gives its dead letters Write', () => {
    const messaging = grants('messaging');
    expect(messaging['topic:literal:chat.message.sequenced.v1']).toBe('Read,Write,Describe');
    expect(messaging['topic:literal:chat.message.sequenced.v1.dlq']).toBe('Write,Describe');
    expect(messaging['group:prefix:messaging']).toBe('Read,Describe');
    expect(grants('gateway')['group:prefix:gateway.']).toBe('Read,Describe,Delete');
  });

  it('names only topics of the contracts (or their dead letters), and never grants Create, Alter or All', () => {
    const known = new Set(allTopics().map((t) => t.name));
    for (const service of SERVICES) {
      for (const acl of kafkaAcls(service)) {
        if (acl.resource.type === 'topic') expect({ service, topic: acl.resource.name, known: known.has(acl.resource.name) }).toEqual({ service, topic: acl.resource.name, known: true });
        expect(acl.operations.filter((op) => !['Read', 'Write', 'Describe', 'Delete'].includes(op))).toEqual([]);
      }
    }
  });

  it("puts a run's KAFKA_TOPIC_PREFIX before every topic and group, and changes nothing else", () => {
    for (const service of SERVICES) {
      const plain = kafkaAcls(service);
      const prefixed = kafkaAcls(service, 'run7.');
      expect(prefixed).toEqual(plain.map((acl) => ({ ...acl, resource: { ...acl.resource, name: `run7.${acl.resource.name}` } })));
    }
    expect(kafkaAcls('gateway', 'run7.').find((a) => a.resource.type === 'group')?.resource).toEqual({ type: 'group', name: 'run7.gateway.', patternType: 'prefix' });
    expect(allTopics('run7.').map((t) => t.name)).toEqual(allTopics().map((t) => `run7.${t.name}`));
  });

  it('keeps the presence user off the command topic (what the compose smoke test tries)', () => {
    expect(grants('presence')['topic:literal:chat.channel.command.v1']).toBeUndefined();
  });
});
