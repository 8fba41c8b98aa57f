import { generateClusterId, kafkaJvmArgs, renderKafkaProperties } from './kafka';

function parseProperties(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.includes('=')) continue;
    const at = line.indexOf('=');
    map.set(line.slice(0, at), line.slice(at + 1));
  }
  return map;
}

describe('renderKafkaProperties', () => {
  const props = parseProperties(renderKafkaProperties({ dataDir: '/x/.infra/data/kafka', host: '127.0.0.1', port: 9092, controllerPort: 9093 }));

  it('configures a single-node KRaft combined broker/controller with a static quorum', () => {
    expect(props.get('process.roles')).toBe('broker,controller');
    expect(props.get('node.id')).toBe('1');
    expect(props.get('controller.quorum.voters')).toBe('1@127.0.0.1:9093');
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093');
    expect(props.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:9092');
    expect(props.get('controller.listener.names')).toBe('CONTROLLER');
    expect(props.get('log.dirs')).toBe('/x/.infra/data/kafka');
  });

  it('never auto-creates topics and sizes internal topics for one node', () => {
    expect(props.get('auto.create.topics.enable')).toBe('false');
    expect(props.get('num.partitions')).toBe('3');
    expect(props.get('offsets.topic.replication.factor')).toBe('1');
    expect(props.get('offsets.topic.num.partitions')).toBe('10');
    expect(props.get('transaction.state.log.replication.factor')).toBe('1');
    expect(props.get('transaction.state.log.min.isr')).toBe('1');
    expect(props.get('min.insync.replicas')).toBe('1');
    expect(props.get('group.initial.rebalance.delay.ms')).toBe('0');
  });

  it('has no SASL listener and no authorizer unless asked for one (the cluster nodes never are)', () => {
    expect(props.get('listener.security.protocol.map')).toBe('CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT');
    for (const key of ['sasl.enabled.mechanisms', 'authorizer.class.name', 'allow.everyone.if.no.acl.found', 'super.users']) expect(props.has(key)).toBe(false);
  });

  it('adds a SCRAM-SHA-512 listener whose users need ACLs, while the anonymous principal of PLAINTEXT keeps full rights', () => {
    const local = parseProperties(
      renderKafkaProperties({
        dataDir: '/d',
        host: '127.0.0.1',
        port: 9092,
        controllerPort: 9093,
        fault: { port: 9094, advertisedPort: 9095 },
        sasl: { port: 9096 },
      }),
    );
    expect(local.get('listeners')).toBe('PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093,FAULT://127.0.0.1:9094,SASL://127.0.0.1:9096');
    expect(local.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:9092,FAULT://127.0.0.1:9095,SASL://127.0.0.1:9096');
    expect(local.get('listener.security.protocol.map')).toBe('CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,FAULT:PLAINTEXT,SASL:SASL_PLAINTEXT');
    expect(local.get('inter.broker.listener.name')).toBe('PLAINTEXT');
    expect(local.get('sasl.enabled.mechanisms')).toBe('SCRAM-SHA-512');
    expect(local.get('listener.name.sasl.scram-sha-512.sasl.jaas.config')).toBe('org.apache.kafka.common.security.scram.ScramLoginModule required;');
    expect(local.get('authorizer.class.name')).toBe('org.apache.kafka.metadata.authorizer.StandardAuthorizer');
    expect(local.get('allow.everyone.if.no.acl.found')).toBe('false');
    expect(local.get('super.users')).toBe('User:ANONYMOUS');
  });

  it('escapes backslashes in paths', () => {
    const text = renderKafkaProperties({ dataDir: 'C:\\infra\\kafka', host: '127.0.0.1', port: 1, controllerPort: 2 });
    expect(text).toContain('log.dirs=C:\\\\infra\\\\kafka');
  });
});

describe('generateClusterId', () => {
  it('is 22 base64url characters (16 bytes)', () => {
    const id = generateClusterId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
  });

  it('never starts with a dash (the Kafka CLI would read it as an option)', () => {
    const dashFirst = Buffer.from([0xf8, ...new Array<number>(15).fill(1)]); // base64url "-..."
    const fine = Buffer.alloc(16, 7);
    let calls = 0;
    const id = generateClusterId(() => (calls++ === 0 ? dashFirst : fine));
    expect(dashFirst.toString('base64url').startsWith('-')).toBe(true);
    expect(id).toBe(fine.toString('base64url'));
  });
});

describe('kafkaJvmArgs', () => {
  it('uses a 512m-768m heap and INFO logging', () => {
    const args = kafkaJvmArgs();
    expect(args).toEqual(expect.arrayContaining(['-Xms512m', '-Xmx768m', '-Dorg.slf4j.simpleLogger.defaultLogLevel=info']));
  });
});
