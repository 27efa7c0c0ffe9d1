#!/usr/bin/env bash
# Install the Debian packages mpgw needs to build, test and demo, and only those that are
# missing. Idempotent: when everything is present it returns without touching apt.
set -euo pipefail

pkgs=(
	build-essential pkg-config meson ninja-build
	dpdk dpdk-dev libdpdk-dev dpdk-doc
	libnuma-dev libmnl-dev libcmocka-dev libpcap-dev
	clang libclang-rt-14-dev
	python3-scapy tcpdump tshark iproute2 iputils-ping procps nftables ncat ethtool
	shadowsocks-libev iperf3
	dnsmasq-base udhcpc
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

echo "setup-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	sudo=sudo
else
	sudo=
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer once, non-interactively.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
