#!/usr/bin/env bash
# Make sure the browser test has a browser: Debian's chromium at /usr/bin/chromium,
# with the Noto CJK and colour emoji fonts so Japanese text and the widget's 👍/👎
# render (in screenshots too).
# Playwright's own browser download is never used; the Python package comes from
# the dev dependencies.
set -euo pipefail

log() { echo "[browser] $*"; }

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
for font in fonts-noto-cjk fonts-noto-color-emoji; do
  dpkg-query -W -f='${Status}' "$font" 2>/dev/null | grep -q "ok installed" || missing+=("$font")
done

if [ ${#missing[@]} -eq 0 ]; then
  log "chromium and its fonts are installed"; exit 0
fi
if ! command -v apt-get >/dev/null; then
  log "cannot install ${missing[*]}: no apt-get on this machine"; exit 1
fi
log "installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
[ -x /usr/bin/chromium ] || { log "/usr/bin/chromium is still missing"; exit 1; }
log "installed ${missing[*]}"
