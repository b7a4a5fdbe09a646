#!/usr/bin/env bash
# Stops the project's Docker engine (containers first, so no docker-proxy or shim is left behind).
# Images stay in the data root; PURGE (--purge) removes the data root too.
source "$(dirname "$0")/lib/common.sh"
source "$CC_REPO/hack/lib/engine.sh"
if cc_engine_ready; then
  ids=$(docker ps -q)
  [[ -n "$ids" ]] && docker stop -t 10 $ids >/dev/null 2>&1 || true
fi
cc_stop engine
# containerd-shims of stopped containers outlive dockerd for a moment.
for i in $(seq 1 50); do pgrep -f "containerd-shim.*$CC_ENGINE_RUN" >/dev/null || break; sleep 0.1; done
pkill -KILL -f "containerd-shim.*$CC_ENGINE_RUN" 2>/dev/null || true
# dockerd leaves its network namespace mounted under the exec root; nothing of ours stays mounted.
awk -v root="$CC_ENGINE_RUN/" 'index($2, root) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
  umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
done
if [[ "${1:-}" == "--purge" ]]; then rm -rf "$CC_ENGINE_ROOT"; fi
echo "==> container engine stopped"
