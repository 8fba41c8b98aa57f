#!/bin/bash
# Healthy = the broker answers a FindCoordinator request for a consumer group without error, i.e.
# group coordination works (the first such request also creates __consumer_offsets). A listening
# port alone is not enough: consumers that start earlier fail with "The group coordinator is not
# available". No Kafka tools in the image: the request is written by hand (FindCoordinator v2,
# request header v1: api_key 10, version 2, correlation id 1, client id "hc", key "hc", key type
# 0 = group); the response starts with length, correlation id, throttle time, then the error code.
# With KAFKA_AUTH=scram: only once the users, topics and ACLs are set up (entrypoint.sh), asked on
# the loopback PLAINTEXT listener (the others want a SASL handshake first).
set -euo pipefail
port=9092
if [ "${KAFKA_AUTH:-none}" = scram ]; then
  [ ! -e /tmp/kafka-setup.pending ] || exit 1
  port=19093
fi
exec 3<>"/dev/tcp/127.0.0.1/${port}"
printf '\x00\x00\x00\x11\x00\x0a\x00\x02\x00\x00\x00\x01\x00\x02hc\x00\x02hc\x00' >&3
reply="$(timeout 4 head -c 14 <&3 | od -An -tx1 | tr -d ' \n')"
[ "${#reply}" -eq 28 ] && [ "${reply:24:4}" = "0000" ]
