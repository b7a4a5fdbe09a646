#!/usr/bin/env bash
# Installs the local data plane, idempotently: MariaDB (MySQL protocol), Redis 7 and Prometheus from
# Debian, Apache Kafka (KRaft) jars from Maven Central into $CC_CACHE/kafka-$KAFKA_VERSION/libs.
# A second run only checks and prints "cached" lines (well under a second).
#   hack/install-dataplane.sh            install what is missing
# Environment: CHATCLUSTER_CACHE (default ~/.cache/chatcluster), KAFKA_VERSION/SLF4J_VERSION (hack/versions.env).
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

log="$CC_LOGS/install-dataplane.log"
: >"$log"

# --- Debian packages ----------------------------------------------------------------------------
apt_pkgs=("$MARIADB_APT" "$REDIS_APT" "$PROMETHEUS_APT" openssl curl openjdk-17-jre-headless maven)

apt_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

apt_install_missing() {
  local missing=("$@")
  export DEBIAN_FRONTEND=noninteractive
  # Only refresh the package lists when a package really is missing (that is the slow part).
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
}

missing=()
for p in "${apt_pkgs[@]}"; do
  apt_installed "$p" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  cc_skip "apt packages" "installed: ${apt_pkgs[*]}"
else
  cc_step "apt: ${missing[*]}" "$log" \
    "run 'apt-get update && apt-get install -y ${missing[*]}' by hand as root and read apt's error" \
    apt_install_missing "${missing[@]}"
fi

# --- Apache Kafka from Maven Central ------------------------------------------------------------
kafka_home="$CC_CACHE/kafka-$KAFKA_VERSION"
kafka_libs="$kafka_home/libs"
kafka_pom="$CC_REPO/hack/kafka/pom.xml"
kafka_marker="$kafka_home/.complete"
# The marker records what was fetched; a changed pom or SLF4J pin re-fetches.
kafka_stamp="kafka=$KAFKA_VERSION slf4j=$SLF4J_VERSION pom=$(sha256sum "$kafka_pom" | cut -c1-16)"

fetch_kafka() {
  rm -rf "$kafka_libs" "$kafka_marker"
  mkdir -p "$kafka_libs"
  mvn -q -B -f "$kafka_pom" \
    -Dkafka.version="$KAFKA_VERSION" -Dslf4j.version="$SLF4J_VERSION" \
    dependency:copy-dependencies -DoutputDirectory="$kafka_libs"
  # A broken download must not leave a marker: check the entry points are really there.
  [[ -f "$kafka_libs/kafka_2.13-$KAFKA_VERSION.jar" && -f "$kafka_libs/kafka-clients-$KAFKA_VERSION.jar" ]]
  [[ -f "$kafka_libs/slf4j-reload4j-$SLF4J_VERSION.jar" ]]
  echo "$kafka_stamp" >"$kafka_marker"
}

if [[ -f "$kafka_marker" && "$(cat "$kafka_marker")" == "$kafka_stamp" ]]; then
  cc_skip "kafka $KAFKA_VERSION (maven)" "$kafka_libs"
else
  cc_step "kafka $KAFKA_VERSION (maven)" "$log" \
    "Maven Central must be reachable (mvn -B -f hack/kafka/pom.xml dependency:copy-dependencies); check ~/.m2/settings.xml" \
    fetch_kafka
fi
