#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (Playwright's own browser download cannot work here).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian chromium for the browser tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium >/dev/null
  echo "chromium installed: $(/usr/bin/chromium --version 2>/dev/null || echo unknown)"
else
  echo "Chromium is missing and cannot be installed (not root or no apt-get); browser tests will be skipped" \
       "(in CI they fail)." >&2
fi
