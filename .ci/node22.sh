#!/usr/bin/env bash
# The test suite on Node 22 (the Lambda functions run on nodejs22.x), besides the machine's Node that
# `npm test` uses. Called by .ci/run; also runnable by hand after `npm ci`:
#   .ci/node22.sh prepare            Node 22 and a better-sqlite3 build for it, cached (no node_modules needed)
#   .ci/node22.sh test [jest args]   prepare if needed, then jest on Node 22 (dist/ must be built: `npm run build`)
#
# - Node 22 comes from the npm registry: package node-linux-<arch>, the official binary build with its C++
#   headers (the `node` package installs the same one from a preinstall script; this skips the script).
# - better-sqlite3 is a native addon built for one Node ABI. The version in package-lock.json is fetched from the
#   registry (`npm pack`) and compiled for Node 22 with npm's bundled node-gyp and Node 22's headers (~1-2 min),
#   then swapped into node_modules for the Node 22 run only: the machine's build is put back on exit.
# Both are cached in ${XDG_CACHE_HOME:-~/.cache}/serverless-smart-connectors.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE22_VERSION=22.23.3
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "no Node $NODE22_VERSION build for $(uname -m)" >&2; exit 1 ;;
esac
cache="${XDG_CACHE_HOME:-$HOME/.cache}/serverless-smart-connectors"
node22_prefix="$cache/node-v$NODE22_VERSION-linux-$arch"
node22_home="$node22_prefix/node_modules/node-linux-$arch"
node22="$node22_home/bin/node"
sqlite_version=$(node -p "require('./package-lock.json').packages['node_modules/better-sqlite3'].version")

binding22() {
  echo "$cache/better-sqlite3-$sqlite_version-node-v$("$node22" -p process.versions.modules)-linux-$arch.node"
}

prepare() {
  mkdir -p "$cache"
  if [ ! -x "$node22" ] || [ "$("$node22" --version 2>/dev/null)" != "v$NODE22_VERSION" ]; then
    rm -rf "$node22_prefix"
    mkdir -p "$node22_prefix"
    npm install --prefix "$node22_prefix" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts "node-linux-$arch@$NODE22_VERSION" >/dev/null
  fi
  local target
  target=$(binding22)
  if [ -f "$target" ]; then return; fi
  echo "compiling better-sqlite3 $sqlite_version for Node $NODE22_VERSION..."
  local build node_gyp
  build=$(mktemp -d)
  (cd "$build" && npm pack --silent "better-sqlite3@$sqlite_version" >/dev/null && tar -xzf "better-sqlite3-$sqlite_version.tgz")
  node_gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
  if ! (cd "$build/package" && "$node22" "$node_gyp" rebuild --release --nodedir="$node22_home" --jobs=2 >"$build/node-gyp.log" 2>&1); then
    tail -40 "$build/node-gyp.log" >&2
    exit 1
  fi
  cp "$build/package/build/Release/better_sqlite3.node" "$target.tmp"
  mv "$target.tmp" "$target"
  rm -rf "$build"
}

run_tests() {
  prepare
  binding=node_modules/better-sqlite3/build/Release/better_sqlite3.node
  cp "$binding" "$binding.machine-node"
  # shellcheck disable=SC2064 # expanded now: the path is fixed
  trap "mv -f '$binding.machine-node' '$binding'" EXIT
  cp "$(binding22)" "$binding"
  echo "Test suite on Node $("$node22" --version)"
  # Node 22 first on PATH: the child processes the tests start (osls, npm, the CLI) run on it too.
  PATH="$(dirname "$node22"):$PATH" "$node22" node_modules/jest/bin/jest.js "$@"
}

case "${1:-test}" in
  prepare) prepare ;;
  test) shift || true; run_tests "$@" ;;
  *) echo "usage: $0 prepare | test [jest args]" >&2; exit 2 ;;
esac
