#!/usr/bin/env bash
# Runs the cluster view's browser test (ClusterViewBrowserIT) in headless Chromium: a real
# 3-member cluster, the view loaded from the leader, kill -9 of the leader, DOM assertions,
# screenshots in it-tests/target/cluster-view/. Not part of `mvn -B verify` (README "Monitoring").
# Installs Debian's chromium package when /usr/bin/chromium is missing (needs root and apt).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -x "${GRAFT_CHROMIUM:-/usr/bin/chromium}" ]]; then
  echo "Installing Debian's chromium (apt-get; about two minutes)..."
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
exec mvn -B -pl it-tests -am verify -Dtest=ClusterViewBrowserIT -Dgraft.browser=true \
  -Dgraft.chromium="${GRAFT_CHROMIUM:-/usr/bin/chromium}" -Dsurefire.failIfNoSpecifiedTests=false "$@"
