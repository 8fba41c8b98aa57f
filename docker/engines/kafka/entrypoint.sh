#!/bin/bash
# Single-node KRaft Kafka with the settings of tools/infra/src/engines/kafka.ts (renderKafkaProperties).
#   KAFKA_INTERNAL_HOST     name other containers reach it by (default: the container's hostname)
#   KAFKA_EXTERNAL_ADDRESS  host:port clients outside Docker use, i.e. the published port
#                           (default 127.0.0.1:9092)
#   KAFKA_CLUSTER_ID        fixed cluster id (formatting happens once, on an empty data dir)
#   KAFKA_HEAP_OPTS         default -Xms512m -Xmx768m
#   KAFKA_AUTH              `none` (default: anyone may do anything, the integration tests'
#                           container mode) or `scram`: clients on :19092 and :9092 log in with
#                           SCRAM-SHA-512 as one of the users of /opt/kafka/access.conf, each
#                           allowed only its ACLs (StandardAuthorizer, nothing without an ACL)
#   KAFKA_<USER>_PASSWORD   with `scram`: each user's password (KAFKA_GATEWAY_PASSWORD, ...)
# With `scram`, the broker and its controller talk over loopback-only PLAINTEXT listeners (BROKER
# 127.0.0.1:19093, CONTROLLER 127.0.0.1:9093) whose anonymous principal is the one super user: only
# processes inside the container reach them. KafkaSetup.java then creates the users, the topics and
# the ACLs at every start; the container reports healthy only after it has.
set -euo pipefail
internal="${KAFKA_INTERNAL_HOST:-$(hostname)}"
external="${KAFKA_EXTERNAL_ADDRESS:-127.0.0.1:9092}"
auth="${KAFKA_AUTH:-none}"
data=/var/lib/kafka/data
props=/var/lib/kafka/server.properties
pending=/tmp/kafka-setup.pending
rm -f "$pending"
case "$auth" in
  none)
    listeners="listeners=INTERNAL://:19092,CONTROLLER://127.0.0.1:9093,EXTERNAL://:9092
advertised.listeners=INTERNAL://${internal}:19092,EXTERNAL://${external}
inter.broker.listener.name=INTERNAL
listener.security.protocol.map=CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT" ;;
  scram)
    jaas='org.apache.kafka.common.security.scram.ScramLoginModule required;'
    listeners="listeners=BROKER://127.0.0.1:19093,INTERNAL://:19092,CONTROLLER://127.0.0.1:9093,EXTERNAL://:9092
advertised.listeners=BROKER://127.0.0.1:19093,INTERNAL://${internal}:19092,EXTERNAL://${external}
inter.broker.listener.name=BROKER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,BROKER:PLAINTEXT,INTERNAL:SASL_PLAINTEXT,EXTERNAL:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.internal.scram-sha-512.sasl.jaas.config=${jaas}
listener.name.external.scram-sha-512.sasl.jaas.config=${jaas}
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:ANONYMOUS"
    touch "$pending" ;;
  *) echo "KAFKA_AUTH must be none or scram, not '$auth'" >&2; exit 2 ;;
esac
cat > "$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
controller.listener.names=CONTROLLER
${listeners}
log.dirs=${data}
auto.create.topics.enable=false
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=168
log.segment.bytes=134217728
delete.topic.enable=true
PROPS
log=(-Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.showShortLogName=true
  -Dorg.slf4j.simpleLogger.log.org.apache.kafka.common.config.AbstractConfig=warn
  -Dorg.slf4j.simpleLogger.log.org.apache.kafka.common.utils.AppInfoParser=warn
  -Dorg.slf4j.simpleLogger.log.state.change.logger=warn)
if [ ! -f "$data/meta.properties" ]; then
  java -Xmx256m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp '/opt/kafka/lib/*' kafka.tools.StorageTool \
    format -t "${KAFKA_CLUSTER_ID:-Y2hhdC1wbGF0Zm9ybS1rZg}" -c "$props"
fi
# Shenandoah, as for the local broker (tools/infra/src/engines/kafka.ts): its pauses stay under 2 ms
# where G1's young pauses set the delivery's tail.
# shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of JVM flags
broker=(java ${KAFKA_HEAP_OPTS:--Xms512m -Xmx768m} -XX:+UseShenandoahGC -XX:+ExitOnOutOfMemoryError
  -Djava.awt.headless=true -Dorg.slf4j.simpleLogger.defaultLogLevel=info "${log[@]}"
  -cp '/opt/kafka/lib/*' kafka.Kafka "$props")
[ "$auth" = scram ] || exec "${broker[@]}"

kafka_setup() {
  java -Xmx128m -XX:TieredStopAtLevel=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp '/opt/kafka/lib/*' \
    /opt/kafka/KafkaSetup.java /opt/kafka/access.conf
}
# shellcheck source=../with-setup.sh
. /opt/kafka/with-setup.sh
run_with_setup "$pending" kafka_setup "${broker[@]}"
