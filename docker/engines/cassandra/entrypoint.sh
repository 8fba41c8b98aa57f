#!/bin/bash
# Single-node Cassandra 5.0 with tools/infra/cassandra/cassandra.yaml and the JVM settings of
# tools/infra/src/engines/cassandra.ts; only the addresses change: it listens on the container's
# address and serves CQL on every interface.
#   CASSANDRA_BROADCAST_RPC_ADDRESS  address drivers are told to use (default: the container's)
#   CASSANDRA_HEAP                   -Xms/-Xmx (default 1g)
#   CASSANDRA_AUTH                   `none` (default: no login, the integration tests' container
#                                    mode) or `password`: PasswordAuthenticator and
#                                    CassandraAuthorizer, and at every start (CassandraSetup.java)
#                                    the superuser `cassandra`'s password set to
#                                    CASSANDRA_SUPERUSER_PASSWORD, messaging's keyspace created and
#                                    its role granted that keyspace only (as the Kubernetes Job
#                                    cassandra-roles does); healthy only once that is done
#   CASSANDRA_SUPERUSER_PASSWORD     with `password`
#   CASSANDRA_MESSAGING_PASSWORD     with `password`: the role `messaging`'s
#   CASSANDRA_MESSAGING_KEYSPACE     with `password`: its keyspace (default chat_messaging),
#                                    SimpleStrategy with replication factor 1
set -euo pipefail
self="$(hostname -i | awk '{print $1}')"
rpc="${CASSANDRA_BROADCAST_RPC_ADDRESS:-$self}"
auth="${CASSANDRA_AUTH:-none}"
yaml=/etc/cassandra/cassandra.yaml
pending=/tmp/cassandra-setup.pending
rm -f "$pending"
case "$auth" in
  none) authn=AllowAllAuthenticator; authz=AllowAllAuthorizer ;;
  password)
    authn=PasswordAuthenticator; authz=CassandraAuthorizer
    keyspace="${CASSANDRA_MESSAGING_KEYSPACE:-chat_messaging}"
    [[ "$keyspace" =~ ^[a-z][a-z0-9_]{0,47}$ ]] || { echo "CASSANDRA_MESSAGING_KEYSPACE: not a keyspace name: '$keyspace'" >&2; exit 2; }
    [ -n "${CASSANDRA_SUPERUSER_PASSWORD:-}" ] || { echo "CASSANDRA_AUTH=password needs CASSANDRA_SUPERUSER_PASSWORD" >&2; exit 2; }
    [ -n "${CASSANDRA_MESSAGING_PASSWORD:-}" ] || { echo "CASSANDRA_AUTH=password needs CASSANDRA_MESSAGING_PASSWORD" >&2; exit 2; }
    touch "$pending" ;;
  *) echo "CASSANDRA_AUTH must be none or password, not '$auth'" >&2; exit 2 ;;
esac
sed -e "s/^listen_address: .*/listen_address: ${self}/" \
    -e "s/^rpc_address: .*/rpc_address: 0.0.0.0\nbroadcast_rpc_address: ${rpc}/" \
    -e "s/- seeds: .*/- seeds: \"${self}:7000\"/" \
    -e "s/^authenticator: .*/authenticator: ${authn}/" \
    -e "s/^authorizer: .*/authorizer: ${authz}/" \
    /opt/cassandra/conf/cassandra.yaml > "$yaml"
heap="${CASSANDRA_HEAP:-1g}"
jamm="$(ls /opt/cassandra/lib/jamm-*.jar | head -n 1)"
mkdir -p /var/lib/cassandra/triggers
node=(java "-Xms${heap}" "-Xmx${heap}" -Xss256k -XX:+UseG1GC -XX:+ParallelRefProcEnabled -XX:MaxTenuringThreshold=1
  -XX:G1RSetUpdatingPauseTimePercent=5 -XX:MaxGCPauseMillis=300 -XX:InitiatingHeapOccupancyPercent=70
  -XX:+PerfDisableSharedMem -XX:+ExitOnOutOfMemoryError -XX:StringTableSize=1000003
  -Djava.net.preferIPv4Stack=true -Djdk.attach.allowAttachSelf=true @/opt/cassandra/jdk17.args
  -Dio.netty.tryReflectionSetAccessible=true -Dio.netty.allocator.useCacheForAllThreads=true -Dio.netty.allocator.maxOrder=11
  "-javaagent:${jamm}" -Dcassandra.config=file://${yaml} -Dcassandra.storagedir=/var/lib/cassandra
  -Dcassandra.triggers_dir=/var/lib/cassandra/triggers -Dcassandra.logdir=/var/lib/cassandra/logs
  -Dlogback.configurationFile=file:///opt/cassandra/conf/logback.xml -Dcassandra-foreground=yes
  -Dcassandra.skip_wait_for_gossip_to_settle=0 -Dcassandra.load_ring_state=false
  -Dcassandra.superuser_setup_delay_ms=0 -Dcassandra.initial_token=0 -Dcassandra.num_tokens=1
  -cp '/opt/cassandra/lib/*' org.apache.cassandra.service.CassandraDaemon)
[ "$auth" = password ] || exec "${node[@]}"

cassandra_setup() {
  local quoted="${CASSANDRA_MESSAGING_PASSWORD//\'/\'\'}"
  java -Xmx128m -XX:TieredStopAtLevel=1 -Dlogback.configurationFile=file:///opt/cassandra/conf/logback.xml \
    -cp '/opt/cassandra/lib/*' /opt/cassandra/CassandraSetup.java <<CQL
CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1} AND durable_writes = true;
CREATE ROLE IF NOT EXISTS messaging WITH LOGIN = true AND PASSWORD = '${quoted}';
ALTER ROLE messaging WITH PASSWORD = '${quoted}';
GRANT ALL PERMISSIONS ON KEYSPACE ${keyspace} TO messaging;
CQL
}
# shellcheck source=../with-setup.sh
. /opt/cassandra/with-setup.sh
run_with_setup "$pending" cassandra_setup "${node[@]}"
