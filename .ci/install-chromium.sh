#!/usr/bin/env bash
# Installs Debian's `chromium` package (and a Chinese font, so `--lang zh` screenshots
# show characters, not boxes) for the headless HTML report test, tests/integration/html_browser.rs.
# Does nothing when both are there already.
set -euo pipefail

packages=()
have_browser=""
for name in chromium chromium-browser google-chrome; do
  if command -v "$name" >/dev/null 2>&1; then
    have_browser="$(command -v "$name")"
    break
  fi
done
[ -n "$have_browser" ] || packages+=(chromium)
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  packages+=(fonts-wqy-zenhei)
fi
if [ ${#packages[@]} -eq 0 ]; then
  echo "install-chromium: using $have_browser"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: no apt-get here; install ${packages[*]} yourself" >&2
  # A missing font only makes Chinese screenshots less readable; a missing browser
  # fails the test under CI, with its own message.
  exit 0
fi

# Root installs directly; anyone else needs sudo.
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "install-chromium: not root and no sudo; cannot install ${packages[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
${SUDO[@]+"${SUDO[@]}"} apt-get update -qq
${SUDO[@]+"${SUDO[@]}"} apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
echo "install-chromium: installed ${packages[*]}"
