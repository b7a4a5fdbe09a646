#!/usr/bin/env bash
# Loads locally built images into every node of the kind cluster (kind load docker-image), skipping
# the nodes that already hold the same image id. Usage: hack/kind-load.sh IMAGE...
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$CC_REPO/hack/lib/engine.sh"
source "$CC_REPO/hack/lib/kind.sh"
cc_engine_require
(($#)) || { echo "usage: hack/kind-load.sh IMAGE..." >&2; exit 2; }
log="$CC_LOGS/kind-load.log"
: >"$log"
mapfile -t nodes < <(cc_kind_nodes)
((${#nodes[@]})) || { echo "no kind cluster $CC_KIND_NAME: run hack/kind-up.sh first" >&2; exit 1; }

load() { "$CC_KIND_BIN" load docker-image --name "$CC_KIND_NAME" --nodes "$1" "$2"; }

for image in "$@"; do
  id=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null) ||
    cc_fail "$log" "no local image $image: build it first (docker images lists what there is)"
  missing=()
  for n in "${nodes[@]}"; do
    # The CRI image id is the config digest, which is the docker image id for a docker save.
    have=$(docker exec "$n" crictl inspecti -o go-template --template '{{.status.id}}' "$image" 2>/dev/null || true)
    [[ "$have" == "$id" ]] || missing+=("$n")
  done
  if ((${#missing[@]} == 0)); then
    cc_skip "load $image" "on all ${#nodes[@]} nodes"
  else
    list=$(IFS=,; echo "${missing[*]}")
    cc_step "load $image (${#missing[@]} nodes)" "$log" "$CC_KIND_BIN load docker-image --name $CC_KIND_NAME $image" load "$list" "$image"
  fi
done
