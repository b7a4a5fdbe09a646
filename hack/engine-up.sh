#!/usr/bin/env bash
# Starts the project's Docker engine (Debian docker.io; installed here if missing) with its own data
# root, exec root and socket, so it never touches a system engine. Idempotent: a running engine is kept.
#   hack/engine-up.sh      then: source hack/lib/engine.sh (DOCKER_HOST) or use `make` targets
source "$(dirname "$0")/lib/common.sh"
source "$CC_REPO/hack/lib/engine.sh"
log="$CC_LOGS/engine.log"

apt_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
pkgs=(docker.io jq debootstrap)
missing=()
for p in "${pkgs[@]}"; do apt_installed "$p" || missing+=("$p"); done
if ((${#missing[@]})); then
  cc_step "apt: ${missing[*]}" "$CC_LOGS/install-engine.log" "apt-get update && apt-get install -y ${missing[*]}" \
    bash -c "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q ${missing[*]}"
else
  cc_skip "apt: ${pkgs[*]}" "installed"
fi

if cc_engine_ready; then
  cc_skip "container engine" "$CC_ENGINE_SOCK"
  exit 0
fi
mkdir -p "$CC_ENGINE_ROOT" "$CC_ENGINE_RUN/exec" "$CC_ENGINE_RUN/containerd"
args=(--data-root "$CC_ENGINE_ROOT" --exec-root "$CC_ENGINE_RUN/exec" -H "unix://$CC_ENGINE_SOCK"
  --pidfile "$CC_ENGINE_RUN/docker.pid" --iptables=false --ip-masq=false --bridge=none
  --storage-driver overlay2 --log-level warn)
# A VM whose bounding set lacks CAP_SYS_RESOURCE cannot start --privileged containers (kind nodes):
# route every container through the wrapper that drops that one capability.
capbnd=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
if ((!((0x$capbnd >> 24) & 1))); then
  args+=(--add-runtime "cc-runc=$CC_REPO/hack/engine/runc-wrapper" --default-runtime cc-runc)
fi
# kind mounts /lib/modules from the host; a VM without modules gets an empty folder.
mkdir -p /lib/modules
# dockerd starts its own containerd under the exec root.
cc_start engine "$log" dockerd "${args[@]}"
cc_wait "container engine" 60 "$log" cc_engine_ready
