#!/usr/bin/env bash
# Installs what the VS Code tests (`npm run test:vscode`) need on a fresh Debian 12:
#   - Debian packages: chromium (driven headless by playwright-core), ripgrep (VS Code's
#     search), libkrb5-dev (headers for code-server's native `kerberos` module);
#   - code-server 4.100.3 (VS Code 1.100.3 server + web workbench; the newest release that
#     runs on Node 20) into .cache/code-server, built offline from the npm registry.
# code-server's own postinstall refuses to run as root under npm 11 and downloads ripgrep
# from the internet, so it is installed with --ignore-scripts and finished by hand.
#
# Usage: scripts/setup-vscode-test.sh [--no-apt]     (run as root for the apt part)
# Idempotent: a finished build is recognised by its stamp file and kept, so CI can cache
# .cache/code-server (key: this file). From nothing: about 1.5 minutes on 2 cores (apt
# packages already present); then `npm run test:vscode`.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.cache/code-server"
stamp="$cache/.installed-$CODE_SERVER_VERSION"

if [[ "${1:-}" != "--no-apt" ]]; then
    missing=()
    # build-essential and python3: node-gyp rebuilds code-server's native modules.
    for pkg in chromium ripgrep libkrb5-dev build-essential python3; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    if (( ${#missing[@]} > 0 )); then
        if (( EUID != 0 )); then
            echo "missing Debian packages: ${missing[*]}; run this script as root (or install them and pass --no-apt)" >&2
            exit 1
        fi
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
fi

if [[ -f "$stamp" ]]; then
    echo "code-server $CODE_SERVER_VERSION already in $cache"
    exit 0
fi

command -v rg >/dev/null || { echo "ripgrep (rg) is missing: run without --no-apt as root" >&2; exit 1; }

# Build in a scratch folder beside the cache and move it into place when complete, so an
# interrupted build never looks finished.
work="$cache.partial.$$"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
cd "$work"
echo '{"name":"code-server-cache","private":true}' > package.json
npm_flags=(--ignore-scripts --no-audit --no-fund --loglevel=error)
npm install "${npm_flags[@]}" "code-server@$CODE_SERVER_VERSION"
(
    cd node_modules/code-server/lib/vscode
    npm install --omit=dev "${npm_flags[@]}"
    npm_config_yes=true npm rebuild --loglevel=error kerberos @parcel/watcher @vscode/deviceid @vscode/spdlog native-watchdog node-pty
    mkdir -p node_modules/@vscode/ripgrep/bin
    ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
    ln -sfn node_modules node_modules.asar
    cd extensions && npm install --omit=dev "${npm_flags[@]}"
)
npm_config_yes=true npm rebuild --loglevel=error argon2
touch ".installed-$CODE_SERVER_VERSION"
trap - EXIT
rm -rf "$cache"
mv "$work" "$cache"
echo "code-server $CODE_SERVER_VERSION installed in $cache"
