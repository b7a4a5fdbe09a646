#!/usr/bin/env bash
# kafka-run-class.sh CLASS ARGS...: what Kafka's own launcher does, reduced to what the operator
# needs: the jars on the class path, heap from KAFKA_HEAP_OPTS, JVM flags from KAFKA_OPTS.
set -euo pipefail
home="$(cd "$(dirname "$0")/.." && pwd)"
class="$1"
shift
# shellcheck disable=SC2086 # the *_OPTS variables are word lists, as in Kafka's own scripts
exec java ${KAFKA_HEAP_OPTS:--Xmx512m -Xms512m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
  -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
  "-Dlog4j.configuration=file:$home/config/log4j.properties" ${KAFKA_OPTS:-} \
  -cp "$home/libs/*" "$class" "$@"
