#!/usr/bin/env bash
# Builds the base images every project image starts FROM, without a registry:
#   chatcluster/debian:bookworm   Debian bookworm minbase from debootstrap (the stand-in for debian:bookworm-slim)
#   chatcluster/static:bookworm   passwd/group/nsswitch/CA bundle only, for single static binaries
# Cached in the engine's data root: a second run only checks the tags. Needs `make engine-up`.
source "$(dirname "$0")/lib/common.sh"
source "$CC_REPO/hack/lib/engine.sh"
cc_engine_require
log="$CC_LOGS/build-base-images.log"
: >"$log"

mirror=$(awk '/^URIs:/ {print $2; exit} /^deb / {print $2; exit}' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | head -1)
mirror=${mirror:-http://deb.debian.org/debian}

have() { docker image inspect "$1" >/dev/null 2>&1; }

debian() {
  local dir
  dir=$(mktemp -d "$CC_CACHE/debootstrap.XXXX")
  debootstrap --variant=minbase --include=ca-certificates bookworm "$dir" "$mirror"
  # Same trims as the slim image: no apt lists, no docs, apt never keeps its downloads.
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/usr/share/doc/* "$dir"/usr/share/man/*
  cp /etc/apt/sources.list.d/*.sources "$dir/etc/apt/sources.list.d/" 2>/dev/null || true
  echo 'APT::Install-Recommends "false";' >"$dir/etc/apt/apt.conf.d/99norecommends"
  # The machine's extra trust anchors (here: the egress proxy's CA that the npm registry's TLS goes
  # through), so `npm install` in an image build trusts what the machine trusts.
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$dir/usr/local/share/ca-certificates/"
    chroot "$dir" update-ca-certificates >/dev/null
  fi
  tar -C "$dir" -c . | docker import --change 'CMD ["bash"]' - "$CC_BASE_IMAGE"
  rm -rf "$dir"
}

static() {
  local dir
  dir=$(mktemp -d "$CC_CACHE/static.XXXX")
  mkdir -p "$dir/etc/ssl/certs" "$dir/tmp" "$dir/home/nonroot"
  chmod 1777 "$dir/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$dir/etc/group"
  echo 'hosts: files dns' >"$dir/etc/nsswitch.conf"
  # The machine's bundle, extra trust anchors included (see debian() above).
  cp /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/"
  chown 65532:65532 "$dir/home/nonroot"
  tar -C "$dir" --numeric-owner -c . | docker import - "$CC_STATIC_IMAGE"
  rm -rf "$dir"
}

if have "$CC_BASE_IMAGE"; then cc_skip "image $CC_BASE_IMAGE" "built"; else
  cc_step "image $CC_BASE_IMAGE (debootstrap)" "$log" "check apt reaches $mirror; debootstrap --variant=minbase bookworm DIR $mirror" debian
fi
if have "$CC_STATIC_IMAGE"; then cc_skip "image $CC_STATIC_IMAGE" "built"; else
  cc_step "image $CC_STATIC_IMAGE" "$log" "see the log" static
fi
