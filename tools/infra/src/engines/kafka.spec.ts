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
