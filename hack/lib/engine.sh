# The project's own Docker engine (Debian docker.io): its socket, data root and exec root.
# Sourced after common.sh by every script that talks to the engine; exports DOCKER_HOST so
# `docker` and `kind` use this engine and never a system one.
# The data root lives in the cache (images survive `make down`); the exec root and socket in .run.
CC_ENGINE_ROOT="${CHATCLUSTER_ENGINE_ROOT:-$CC_CACHE/docker}"
CC_ENGINE_RUN="$CC_RUN/docker"
CC_ENGINE_SOCK="$CC_ENGINE_RUN/docker.sock"
export DOCKER_HOST="unix://$CC_ENGINE_SOCK"
# Debian's docker client matches the engine's API; a newer client elsewhere on PATH negotiates down.
export DOCKER_BUILDKIT=0

cc_engine_ready() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# cc_engine_require: fail with the fix when the engine is not running.
cc_engine_require() {
  cc_engine_ready || {
    echo "the container engine is not running: run 'make engine-up' (hack/engine-up.sh) first" >&2
    exit 1
  }
}
