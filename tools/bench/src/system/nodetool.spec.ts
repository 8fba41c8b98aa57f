import { nodetoolArgs, parseArgFile, parseCasCounts, parseCompactions } from './nodetool';

describe('nodetool helpers', () => {
  it('reads the classpath, module flags and JMX port from the node\'s @argument file', () => {
    const jvm = parseArgFile(['-Xmx2g', '--add-opens', 'java.base/java.lang=ALL-UNNAMED', '"-Dlogback.configurationFile=file:/a b/logback.xml"', '-Dcassandra.jmx.local.port=7299', '-cp', '/m2/cassandra-all.jar:/m2/x.jar', ''].join('\n'));
    const found = nodetoolArgs(jvm);

    expect(found?.jmxPort).toBe(7299);
    expect(found?.args).toEqual(expect.arrayContaining(['--add-opens', 'java.base/java.lang=ALL-UNNAMED', '-Dlogback.configurationFile=file:/a b/logback.xml', '-cp', '/m2/cassandra-all.jar:/m2/x.jar', 'org.apache.cassandra.tools.NodeTool', '7299']));
    expect(found?.args).not.toContain('-Xmx2g');
    expect(nodetoolArgs(['-Xmx2g'])).toBeUndefined();
  });

  it('parses the keyspace\'s CAS counts from sjk mx output', () => {
    const output = [
      'org.apache.cassandra.metrics:type=Keyspace,keyspace=k,name=CasPrepareTotalLatency',
      '999999',
      'org.apache.cassandra.metrics:type=Keyspace,keyspace=k,name=CasPrepareLatency',
      '42',
      'org.apache.cassandra.metrics:type=Keyspace,keyspace=k,name=CasProposeLatency',
      '40',
      'org.apache.cassandra.metrics:type=Keyspace,keyspace=k,name=CasCommitLatency',
      '39',
    ].join('\n');
    expect(parseCasCounts(output)).toEqual({ prepare: 42, propose: 40, commit: 39 });
  });

  it('counts the keyspace\'s pending and running compactions, not other keyspaces\'', () => {
    const output = [
      'concurrent compactors            1',
      'pending tasks                    5',
      '- bench_x_messaging.messages: 3',
      '- other.t: 2',
      'compactions completed            1',
      '',
      'id                                   compaction type keyspace          table    completed total unit  progress',
      '8c1e-…                               Compaction      bench_x_messaging messages 10        20    bytes 50.00%',
      '9d2f-…                               Compaction      other             t        10        20    bytes 50.00%',
    ].join('\n');
    expect(parseCompactions(output, 'bench_x_messaging')).toEqual({ pending: 3, active: 1 });
    expect(parseCompactions('pending tasks 0\n', 'bench_x_messaging')).toEqual({ pending: 0, active: 0 });
  });
});
