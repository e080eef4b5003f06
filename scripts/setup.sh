#!/usr/bin/env bash
# Prepares a Debian host for Vigil, idempotently: the packages the build and
# tests need, the bpffs and tracefs mounts, and a running dockerd (with
# live-restore, so containers survive a daemon restart). Needs root.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
	exec sudo -E "$0" "$@"
fi

packages=(
	docker.io        # Docker Engine for the container tests and enrichment
	busybox-static   # rootfs of the offline test image
	gcc libc6-dev    # static test binaries baked into the test image
	clang-14 llvm-14 libbpf-dev bpftool  # make generate (bpf2go)
	util-linux       # unshare, for the in-kernel containers_only test
	make git ca-certificates
)
missing=()
for p in "${packages[@]}"; do
	case "$p" in \#*) continue ;; esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true

# live-restore keeps containers running while dockerd restarts; the resolver
# tests stop and start the daemon under running containers.
mkdir -p /etc/docker
if ! grep -q '"live-restore": *true' /etc/docker/daemon.json 2>/dev/null; then
	echo '{ "live-restore": true }' > /etc/docker/daemon.json
	if [ -f /var/run/docker.pid ] && kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
		kill "$(cat /var/run/docker.pid)"
		for _ in $(seq 1 60); do docker info >/dev/null 2>&1 || break; sleep 0.5; done
	fi
fi

if ! docker info >/dev/null 2>&1; then
	echo "setup: starting dockerd (log: /var/log/dockerd.log)"
	nohup dockerd >>/var/log/dockerd.log 2>&1 &
	for _ in $(seq 1 120); do
		docker info >/dev/null 2>&1 && break
		sleep 0.5
	done
	docker info >/dev/null 2>&1 || { echo "setup: dockerd did not start; see /var/log/dockerd.log" >&2; exit 1; }
fi
echo "setup: ready (kernel $(uname -r), Docker $(docker version --format '{{.Server.Version}}'))"
