#!/usr/bin/env bash
# Builds every image the operator deploys, offline, into the project's engine:
#   chatcluster/node:20-bookworm                 the machine's Node 20 on the debootstrap base
#   $CC_IMAGE_REPO/{mariadb,kafka,redis,prometheus,nginx}:<tag>   operands (and the kind edge) from Debian / Maven Central
#   $CC_IMAGE_REPO/{operator,platform}:<PLATFORM_VERSION>   the project's own (operator/ and services/ Dockerfiles)
# Every Dockerfile takes its base as a build argument and defaults to the public image, so it builds
# unchanged where a registry is reachable. The engine's layer cache makes a second run take seconds.
#   hack/build-images.sh [--tag TAG] [--worktree] [name ...]    (names: node mariadb kafka redis prometheus nginx operator platform)
source "$(dirname "$0")/lib/common.sh"
source "$CC_REPO/hack/lib/engine.sh"
cc_engine_require
log="$CC_LOGS/build-images.log"
: >"$log"
tag="$PLATFORM_VERSION"
worktree=0
while (($#)); do
  case "$1" in
  --tag) tag="$2" && shift 2 ;;
  --worktree) worktree=1 && shift ;;
  *) break ;;
  esac
done

# build NAME IMAGE CONTEXT DOCKERFILE [build args...]
build() {
  local name="$1" image="$2" ctx="$3" file="$4"
  shift 4
  local t0 before after
  t0=$(cc_now)
  before=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
  printf '==> %-34s ' "image $image"
  # --network host: RUN steps reach apt and the npm registry through the machine's own access.
  if docker build --network host -q -f "$file" -t "$image" "$@" "$ctx" >>"$log" 2>&1; then
    after=$(docker image inspect -f '{{.Id}}' "$image")
    if [[ "$before" == "$after" ]]; then
      printf 'cached (%ss)\n' "$(($(cc_now) - t0))"
    else
      printf 'ok (%ss, %s)\n' "$(($(cc_now) - t0))" "$(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%d MB", $1/1e6}')"
    fi
  else
    printf 'failed (%ss)\n' "$(($(cc_now) - t0))"
    cc_fail "$log" "docker build -f $file $ctx (DOCKER_HOST=$DOCKER_HOST); read the failing step above"
  fi
}

# A context folder in the cache, refreshed with rsync so unchanged files keep the layer cache.
context() {
  local dir="$CC_CACHE/image-context/$1"
  mkdir -p "$dir"
  echo "$dir"
}

img_node() {
  local ctx
  ctx=$(context node)
  cp -u /usr/bin/node "$ctx/node" 2>/dev/null || cp "$(command -v node)" "$ctx/node"
  rsync -a --delete /usr/lib/node_modules/npm/ "$ctx/npm/"
  rsync -a --delete /usr/include/node/ "$ctx/include/"
  build node "$CC_NODE_IMAGE" "$ctx" "$CC_REPO/hack/images/node/Dockerfile" --build-arg "BASE=$CC_BASE_IMAGE"
  build node-build "$CC_NODE_BUILD_IMAGE" "$ctx" "$CC_REPO/hack/images/node-build/Dockerfile" \
    --build-arg "BASE=$CC_NODE_IMAGE"
}

img_kafka() {
  "$CC_REPO/hack/install-dataplane.sh" >/dev/null
  local ctx
  ctx=$(context kafka)
  rsync -a --delete "$CC_CACHE/kafka-$KAFKA_VERSION/libs/" "$ctx/libs/"
  rsync -a --delete "$CC_REPO/hack/images/kafka/bin/" "$ctx/bin/"
  rsync -a --delete "$CC_REPO/hack/images/kafka/config/" "$ctx/config/"
  build kafka "$CC_IMAGE_REPO/kafka:$KAFKA_VERSION" "$ctx" "$CC_REPO/hack/images/kafka/Dockerfile" --build-arg "BASE=$CC_BASE_IMAGE"
}

img_debian() { # NAME TAG
  build "$1" "$CC_IMAGE_REPO/$1:$2" "$CC_REPO/hack/images/$1" "$CC_REPO/hack/images/$1/Dockerfile" --build-arg "BASE=$CC_BASE_IMAGE"
}

# The project's images build from the committed tree (HEAD), never from uncommitted edits in the
# checkout; --worktree builds the checkout as it is (to try a change before committing it).
project_context() {
  local ctx
  ctx=$(context project)
  if ((worktree)); then
    echo "$CC_REPO"
    return
  fi
  rm -rf "$ctx.new" && mkdir -p "$ctx.new"
  git -C "$CC_REPO" archive HEAD | tar -x -C "$ctx.new"
  cp "$CC_REPO/.dockerignore" "$ctx.new/" 2>/dev/null || true
  rsync -a --delete --checksum "$ctx.new/" "$ctx/" && rm -rf "$ctx.new"
  echo "$ctx"
}

img_project() { # NAME DIR
  local ctx
  ctx=$(project_context)
  build "$1" "$CC_IMAGE_REPO/$1:$tag" "$ctx" "$ctx/$2/Dockerfile" --build-arg "NODE_IMAGE=$CC_NODE_IMAGE" \
    --build-arg "NODE_BUILD_IMAGE=$CC_NODE_BUILD_IMAGE"
}

names=("$@")
((${#names[@]})) || names=(node mariadb kafka redis prometheus nginx operator platform)
command -v rsync >/dev/null || cc_step "apt: rsync" "$log" "apt-get install -y rsync" apt-get install -y -q rsync
"$CC_REPO/hack/build-base-images.sh" | grep -v cached || true
for n in "${names[@]}"; do
  case "$n" in
  node) img_node ;;
  mariadb) img_debian mariadb "$MARIADB_IMAGE_TAG" ;;
  redis) img_debian redis "$REDIS_IMAGE_TAG" ;;
  prometheus) img_debian prometheus "$PROMETHEUS_IMAGE_TAG" ;;
  nginx) img_debian nginx "$NGINX_IMAGE_TAG" ;;
  kafka) img_kafka ;;
  operator) img_project operator operator ;;
  platform) img_project platform services ;;
  *)
    echo "unknown image: $n (node mariadb kafka redis prometheus nginx operator platform)" >&2
    exit 2
    ;;
  esac
done
