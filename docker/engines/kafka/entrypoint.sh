#!/bin/bash
# Single-node KRaft Kafka with the settings of tools/infra/src/engines/kafka.ts (renderKafkaProperties).
#   KAFKA_INTERNAL_HOST     name other containers reach it by (default: the container's hostname)
#   KAFKA_EXTERNAL_ADDRESS  host:port clients outside Docker use, i.e. the published port
#                           (default 127.0.0.1:9092)
#   KAFKA_CLUSTER_ID        fixed cluster id (formatting happens once, on an empty data dir)
#   KAFKA_HEAP_OPTS         default -Xms512m -Xmx768m
set -euo pipefail
internal="${KAFKA_INTERNAL_HOST:-$(hostname)}"
external="${KAFKA_EXTERNAL_ADDRESS:-127.0.0.1:9092}"
data=/var/lib/kafka/data
props=/var/lib/kafka/server.properties
cat > "$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
listeners=INTERNAL://:19092,CONTROLLER://127.0.0.1:9093,EXTERNAL://:9092
advertised.listeners=INTERNAL://${internal}:19092,EXTERNAL://${external}
controller.listener.names=CONTROLLER
inter.broker.listener.name=INTERNAL
listener.security.protocol.map=CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT
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
# shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of JVM flags
exec java ${KAFKA_HEAP_OPTS:--Xms512m -Xmx768m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
  -Djava.awt.headless=true -Dorg.slf4j.simpleLogger.defaultLogLevel=info "${log[@]}" \
  -cp '/opt/kafka/lib/*' kafka.Kafka "$props"
