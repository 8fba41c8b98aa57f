#!/bin/bash
# S3Proxy with the settings of tools/infra/src/engines/s3.ts: file system under /data, AWS v2/v4
# signatures, path-style, CORS open (browsers upload with presigned PUTs).
#   S3_IDENTITY / S3_CREDENTIAL  access key and secret (default local / localsecret)
set -euo pipefail
props=/tmp/s3proxy.properties
cat > "$props" <<PROPS
s3proxy.endpoint=http://0.0.0.0:9000
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=${S3_IDENTITY:-local}
s3proxy.credential=${S3_CREDENTIAL:-localsecret}
s3proxy.cors-allow-all=true
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=/data
PROPS
exec java -Xms64m -Xmx256m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
  -Dlogback.configurationFile=file:///opt/s3proxy/logback.xml \
  -cp '/opt/s3proxy/lib/*' org.gaul.s3proxy.Main --properties "$props"
