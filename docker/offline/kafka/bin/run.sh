#!/bin/bash
# Entry point of the offline Kafka image: the apache/kafka image's environment conventions, then the
# broker in the foreground (exec, so SIGTERM reaches the JVM and Kafka shuts down cleanly).
set -euo pipefail
props=/opt/kafka/config/server.properties
: >"$props"
# KAFKA_FOO_BAR=x -> foo.bar=x; `___` -> `-`, `__` -> `_` (as apache/kafka); JVM settings are not properties
for name in $(compgen -e); do
  case "$name" in
    KAFKA_HEAP_OPTS|KAFKA_OPTS|KAFKA_JVM_PERFORMANCE_OPTS|KAFKA_LOG4J_OPTS|KAFKA_GC_LOG_OPTS|KAFKA_HOME|KAFKA_DEBUG) continue ;;
    KAFKA_*) ;;
    *) continue ;;
  esac
  key="$(printf '%s' "${name#KAFKA_}" | sed -e 's/___/-/g' -e 's/__/@/g' -e 's/_/./g' -e 's/@/_/g' | tr '[:upper:]' '[:lower:]')"
  printf '%s=%s\n' "$key" "${!name}" >>"$props"
done
: "${CLUSTER_ID:?CLUSTER_ID is not set}"
/opt/kafka/bin/kafka-run-class.sh kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$props" --ignore-formatted >&2
# shellcheck disable=SC2086
exec java ${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
  ${KAFKA_OPTS:-} -Dlog4j2.configurationFile=/opt/kafka/log4j2.properties -cp '/opt/kafka/libs/*' kafka.Kafka "$props"
