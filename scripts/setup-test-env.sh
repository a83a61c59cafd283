#!/usr/bin/env bash
# Installs the Debian packages the tests use as real peers and lab tools: coturn (turnserver,
# turnutils_natdiscovery), stund and the classic stun client, iptables/nftables/conntrack/iproute2 for the
# network-namespace NAT lab, openssl for the self-signed certificates of the TLS tests, Debian's chromium (driven by playwright-core) and firefox-esr (driven by puppeteer-core over WebDriver BiDi) for the page tests, plus a font for screenshots, prometheus (and its promtool) for the exporter's test and the deploy/ checks, miniupnpd (UPnP IGD, NAT-PMP, PCP on the lab router) squid (the proxy-only office's CONNECT proxy), postgresql (the support-link store's tests start their own server on a private port) and build-essential + python3 (npm builds better-sqlite3 from source: its prebuilt binary would be a download); neither driver ever downloads a browser. Needs root (the lab does too); without root it says so and installs nothing.
set -euo pipefail
packages=(coturn stun-server stun-client docker-compose openssl iptables nftables conntrack iproute2 procps chromium firefox-esr fonts-dejavu-core prometheus miniupnpd squid postgresql build-essential python3)
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-test-env: not root; skipping apt-get (lab tests will be reported as skipped)." >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
# Debian starts coturn, stund and prometheus as services when installed; the tests start their own, by PID.
for svc in coturn stun-server prometheus squid miniupnpd postgresql; do
  if command -v systemctl >/dev/null 2>&1; then systemctl stop "$svc" >/dev/null 2>&1 || true; fi
done
echo "setup-test-env: installed ${packages[*]}"
