#!/bin/bash
# Single-node Cassandra 5.0 with tools/infra/cassandra/cassandra.yaml and the JVM settings of
# tools/infra/src/engines/cassandra.ts; only the addresses change: it listens on the container's
# address and serves CQL on every interface.
#   CASSANDRA_BROADCAST_RPC_ADDRESS  address drivers are told to use (default: the container's)
#   CASSANDRA_HEAP                   -Xms/-Xmx (default 1g)
set -euo pipefail
self="$(hostname -i | awk '{print $1}')"
rpc="${CASSANDRA_BROADCAST_RPC_ADDRESS:-$self}"
yaml=/etc/cassandra/cassandra.yaml
sed -e "s/^listen_address: .*/listen_address: ${self}/" \
    -e "s/^rpc_address: .*/rpc_address: 0.0.0.0\nbroadcast_rpc_address: ${rpc}/" \
    -e "s/- seeds: .*/- seeds: \"${self}:7000\"/" \
    /opt/cassandra/conf/cassandra.yaml > "$yaml"
heap="${CASSANDRA_HEAP:-1g}"
jamm="$(ls /opt/cassandra/lib/jamm-*.jar | head -n 1)"
mkdir -p /var/lib/cassandra/triggers
exec java "-Xms${heap}" "-Xmx${heap}" -Xss256k -XX:+UseG1GC -XX:+ParallelRefProcEnabled -XX:MaxTenuringThreshold=1 \
  -XX:G1RSetUpdatingPauseTimePercent=5 -XX:MaxGCPauseMillis=300 -XX:InitiatingHeapOccupancyPercent=70 \
  -XX:+PerfDisableSharedMem -XX:+ExitOnOutOfMemoryError -XX:StringTableSize=1000003 \
  -Djava.net.preferIPv4Stack=true -Djdk.attach.allowAttachSelf=true @/opt/cassandra/jdk17.args \
  -Dio.netty.tryReflectionSetAccessible=true -Dio.netty.allocator.useCacheForAllThreads=true -Dio.netty.allocator.maxOrder=11 \
  "-javaagent:${jamm}" -Dcassandra.config=file://${yaml} -Dcassandra.storagedir=/var/lib/cassandra \
  -Dcassandra.triggers_dir=/var/lib/cassandra/triggers -Dcassandra.logdir=/var/lib/cassandra/logs \
  -Dlogback.configurationFile=file:///opt/cassandra/conf/logback.xml -Dcassandra-foreground=yes \
  -Dcassandra.skip_wait_for_gossip_to_settle=0 -Dcassandra.load_ring_state=false \
  -Dcassandra.superuser_setup_delay_ms=0 -Dcassandra.initial_token=0 -Dcassandra.num_tokens=1 \
  -cp '/opt/cassandra/lib/*' org.apache.cassandra.service.CassandraDaemon
