# shellcheck shell=bash disable=SC2034  # variables are used by the scripts that source this file
# The local data plane (MariaDB catalog + shards, Redis, Kafka, Prometheus): names, ports and paths
# shared by hack/infra-up.sh, infra-down.sh and infra-status.sh. Sourced after common.sh, never executed.

CC_DATA="$CC_RUN/data"
# One "<name>.ports" file per component this data plane started: infra-down stops exactly those.
CC_DP_STATE="$CC_RUN/dataplane"
CC_KAFKA_LIBS="$CC_CACHE/kafka-$KAFKA_VERSION/libs"
CC_KAFKA_CONF="$CC_RUN/kafka"
CC_PROM_DIR="$CC_RUN/prometheus"
CC_PROM_TARGETS="$CC_PROM_DIR/targets"
CC_INFRA_ENV="$CC_RUN/infra.env"

# cc_dp_components: "<name> <port>[,<port>...] <role>" for every configured component, in start order
# of the databases (the slow JVM is started first by infra-up itself). Shard i listens on
# CC_MYSQL_SHARD_BASE_PORT + i; the first CC_SHARDS are active, the next CC_SPARE_SHARDS are spares.
# Spares are named like shards so that raising CC_SHARDS later turns a spare into an active shard
# with its data, instead of two servers wanting one port.
cc_dp_components() {
  local i
  echo "mysql-catalog $CC_MYSQL_CATALOG_PORT catalog"
  for ((i = 0; i < CC_SHARDS + CC_SPARE_SHARDS; i++)); do
    if ((i < CC_SHARDS)); then
      echo "mysql-shard-$i $((CC_MYSQL_SHARD_BASE_PORT + i)) shard"
    else
      echo "mysql-shard-$i $((CC_MYSQL_SHARD_BASE_PORT + i)) spare"
    fi
  done
  echo "redis $CC_REDIS_PORT redis"
  echo "kafka $CC_KAFKA_PORT,$CC_KAFKA_CONTROLLER_PORT kafka"
  echo "prometheus $CC_PROMETHEUS_PORT prometheus"
}

# cc_dp_started: names of the data-plane components that have a pid or state file (what we started).
cc_dp_started() {
  local f
  {
    for f in "$CC_DP_STATE"/*.ports; do
      [[ -e "$f" ]] && basename "$f" .ports
    done
    for f in "$CC_PIDS"/mysql-*.pid "$CC_PIDS"/redis.pid "$CC_PIDS"/kafka.pid "$CC_PIDS"/prometheus.pid; do
      [[ -e "$f" ]] && basename "$f" .pid
    done
  } | sort -u
}

# cc_port_owner PORT: the `ss` line of whoever listens on PORT (for error messages).
cc_port_owner() {
  ss -ltnpH "sport = :$1" 2>/dev/null | awk '{print $4, $6}' | head -n 3
}
