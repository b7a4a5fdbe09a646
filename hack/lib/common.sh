# Shared helpers for every hack/ script: where things live, one progress line per
# step, the log tail on failure, pid-file process control and readiness waits.
# Sourced, never executed.
set -euo pipefail

CC_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../versions.env
source "$CC_REPO/hack/versions.env"
# shellcheck source=ports.env
source "$CC_REPO/hack/lib/ports.env"
CC_CACHE="${CHATCLUSTER_CACHE:-$HOME/.cache/chatcluster}"
CC_RUN="${CHATCLUSTER_RUN:-$CC_REPO/.run}"
CC_LOGS="$CC_RUN/logs"
CC_PIDS="$CC_RUN/pids"
CC_BIN="$CC_CACHE/bin"
mkdir -p "$CC_CACHE" "$CC_LOGS" "$CC_PIDS" "$CC_BIN"
export GOTOOLCHAIN=local

cc_now() { date +%s; }

# cc_fail LOG HINT: print the tail of LOG and what to do, then exit 1.
cc_fail() {
  local log="$1" hint="$2"
  echo "    FAILED. Last lines of $log:" >&2
  tail -n 40 "$log" 2>/dev/null | sed 's/^/    | /' >&2 || true
  echo "    fix: $hint" >&2
  exit 1
}

# cc_step NAME LOG HINT CMD...: run CMD with output to LOG, one progress line.
cc_step() {
  local name="$1" log="$2" hint="$3"
  shift 3
  local t0
  t0=$(cc_now)
  printf '==> %-34s ' "$name"
  if "$@" >>"$log" 2>&1; then
    printf 'ok (%ss)\n' "$(($(cc_now) - t0))"
  else
    printf 'failed (%ss)\n' "$(($(cc_now) - t0))"
    cc_fail "$log" "$hint"
  fi
}

# cc_skip NAME WHY: the progress line of a step that was already done.
cc_skip() { printf '==> %-34s cached (%s)\n' "$1" "$2"; }

# cc_start NAME LOG CMD...: start CMD in the background in its own session and
# record its pid, so cc_stop can end it and its children.
cc_start() {
  local name="$1" log="$2"
  shift 2
  if cc_running "$name"; then return 0; fi
  # Close every descriptor above 2 first: a server that inherits the caller's
  # pipe keeps `make up | tee` (or CI's pipe) open forever.
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      ((fd > 2)) && eval "exec $fd>&-"
    done
    exec setsid "$@" >>"$log" 2>&1 </dev/null
  ) &
  echo $! >"$CC_PIDS/$name.pid"
}

# cc_alive PID: the process exists and is not a zombie (pid 1 here reaps exited
# orphans a second or two late, and kill -0 succeeds on a zombie).
cc_alive() {
  local st
  st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ -n "$st" && "$st" != Z* ]]
}

cc_running() {
  local f="$CC_PIDS/$1.pid"
  [[ -f "$f" ]] && cc_alive "$(cat "$f")"
}

# cc_stop NAME: TERM the process group, wait up to 20s, then KILL.
cc_stop() {
  local name="$1" f="$CC_PIDS/$1.pid" pid i
  [[ -f "$f" ]] || return 0
  pid=$(cat "$f")
  if cc_alive "$pid"; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 200); do
      cc_alive "$pid" || break
      sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# cc_wait NAME TIMEOUT LOG CMD...: poll a real readiness probe until it passes.
cc_wait() {
  local name="$1" timeout="$2" log="$3"
  shift 3
  local t0
  t0=$(cc_now)
  printf '==> %-34s ' "wait $name"
  until "$@" >/dev/null 2>&1; do
    if (($(cc_now) - t0 > timeout)); then
      printf 'timed out (%ss)\n' "$timeout"
      cc_fail "$log" "see the log above; 'make down' then retry, or check the port is free"
    fi
    sleep 0.3
  done
  printf 'ready (%ss)\n' "$(($(cc_now) - t0))"
}

# cc_port_free PORT: true when nothing listens on 127.0.0.1:PORT.
cc_port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# cc_tree_rss_kib PID: VmRSS of PID and all its descendants, in KiB.
cc_tree_rss_kib() {
  local pid="$1" total=0 kib child
  kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  total=$((total + ${kib:-0}))
  for child in $(pgrep -P "$pid" 2>/dev/null || true); do
    total=$((total + $(cc_tree_rss_kib "$child")))
  done
  echo "$total"
}

# cc_mib KIB: KiB as MiB with one decimal, for the status tables.
cc_mib() { awk -v k="${1:-0}" 'BEGIN { printf "%.1f", k / 1024 }'; }
