# The kind node base image, built offline: kind's images/base/Dockerfile with Debian bookworm
# packages instead of source builds (containerd 1.6, runc 1.1, CNI plugins 1.1 from Debian; crictl
# from the Go module proxy). The build context is assembled by hack/build-kind-images.sh: files/ is
# kind's images/base/files from the kind Go module of KIND_VERSION, crictl is the built binary.
ARG BASE=debian:bookworm-slim
FROM ${BASE}
COPY files/ /
COPY crictl /usr/local/bin/crictl
RUN set -eux; \
    export DEBIAN_FRONTEND=noninteractive; \
    apt-get update; \
    apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confold \
      systemd conntrack iptables nftables iproute2 ethtool util-linux mount kmod \
      libseccomp2 pigz e2fsprogs bash ca-certificates curl jq procps \
      containerd runc containernetworking-plugins; \
    apt-get clean; \
    rm -rf /var/cache/debconf/* /var/lib/apt/lists/* /var/log/* /tmp/* /var/tmp/* /usr/share/doc/* /usr/share/man/*; \
    mkdir -p /opt/cni/bin; \
    for p in host-local loopback ptp portmap; do cp /usr/lib/cni/$p /opt/cni/bin/; done; \
    ln -sf /usr/bin/containerd /usr/local/bin/containerd; \
    find /lib/systemd/system/sysinit.target.wants/ -name "systemd-tmpfiles-setup.service" -delete; \
    rm -f /lib/systemd/system/multi-user.target.wants/* /etc/systemd/system/*.wants/* \
      /lib/systemd/system/local-fs.target.wants/* /lib/systemd/system/sockets.target.wants/*udev* \
      /lib/systemd/system/sockets.target.wants/*initctl* /lib/systemd/system/basic.target.wants/*; \
    echo "ReadKMsg=no" >> /etc/systemd/journald.conf; \
    ln -sf /usr/lib/systemd/systemd /sbin/init; \
    systemctl enable kubelet.service containerd.service undo-mount-hacks.service; \
    systemctl mask systemd-binfmt.service; \
    mkdir -p /etc/kubernetes/manifests; \
    ctr oci spec \
      | jq '.hooks.createContainer[.hooks.createContainer | length] |= . + {"path": "/kind/bin/mount-product-files.sh"}' \
      | jq 'del(.process.rlimits)' > /etc/containerd/cri-base.json; \
    containerd --version; runc --version; crictl --version
ENV container=docker
STOPSIGNAL SIGRTMIN+3
ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]
