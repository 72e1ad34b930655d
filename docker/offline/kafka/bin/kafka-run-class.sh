#!/bin/bash
# kafka-run-class.sh CLASS ARGS…: one of Kafka's command-line tools, with a small heap and a quick
# start (the health check runs one every interval), logging warnings to stderr.
exec java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -Djava.awt.headless=true \
  -Dlog4j2.configurationFile=/opt/kafka/log4j2-tools.properties -cp '/opt/kafka/libs/*' "$@"
