#!/usr/bin/env bash
# Starts the chat platform (monolith mode: all roles in one process) against the
# local data plane written by `make infra-up` (.run/infra.env). Meant for `make up`
# and for newcomers; production sets the CHAT_* variables directly.
#
#   services/scripts/run-local.sh            # foreground, from sources via tsx (no build needed)
#   CHAT_PORT=8080 services/scripts/run-local.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ENV_FILE="$ROOT/.run/infra.env"
if [[ ! -f "$ENV_FILE" ]]; then
  echo "run-local: $ENV_FILE is missing; run 'make infra-up' first" >&2
  exit 1
fi
# shellcheck disable=SC1090
set -a; source "$ENV_FILE"; set +a

export CHAT_MYSQL_CATALOG_URL="${CHAT_MYSQL_CATALOG_URL:-$CC_MYSQL_CATALOG_URL}"
export CHAT_MYSQL_SHARD_URLS="${CHAT_MYSQL_SHARD_URLS:-$CC_MYSQL_SHARD_URLS}"
export CHAT_MYSQL_SPARE_URLS="${CHAT_MYSQL_SPARE_URLS:-${CC_MYSQL_SPARE_URLS:-}}"
export CHAT_REDIS_URL="${CHAT_REDIS_URL:-$CC_REDIS_URL}"
# The data plane's Kafka; without it the platform would quietly use its in-process bus
# (it logs which bus it runs at start). CHAT_KAFKA_BROKERS= (empty) forces the in-process bus.
export CHAT_KAFKA_BROKERS="${CHAT_KAFKA_BROKERS-${CC_KAFKA_BROKERS:-}}"
export CHAT_PORT="${CHAT_PORT:-8080}"
export CHAT_ROLES="${CHAT_ROLES:-all}"
# Secrets are generated once per run folder (mode 600) and never printed: stable
# across restarts so tokens keep working locally, different on every machine.
SECRETS="$ROOT/.run/secrets.env"
if [[ ! -f "$SECRETS" ]]; then
  (
    umask 077
    printf 'CHAT_JWT_SECRET=%s\nCHAT_ADMIN_TOKEN=%s\n' "$(openssl rand -hex 32)" "$(openssl rand -hex 24)" >"$SECRETS.tmp"
    mv "$SECRETS.tmp" "$SECRETS"
  )
fi
# shellcheck disable=SC1090
{ set -a; source "$SECRETS"; set +a; }

cd "$ROOT"
# Sources by default (a stale dist/ would silently run old code); CHAT_USE_DIST=1
# runs the compiled build (npx tsc -p services) instead.
if [[ "${CHAT_USE_DIST:-0}" == "1" ]]; then
  exec node services/dist/main.js
fi
# node itself (with tsx's loader), not `npx tsx`: npx stays behind as a wrapper process, so the
# pid platform-up.sh records was the wrapper's and killing it left the server running.
exec node --import tsx services/src/main.ts
