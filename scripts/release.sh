#!/usr/bin/env bash
# Release build: server binary (target/release/server, with hash.txt beside it) and the optimised
# site (target/site, with brotli and gzip copies of every asset, served as they are).
# wasm-opt comes from npm's binaryen 132 (Debian's binaryen 108 breaks hydration).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh
if [[ ! -x tools/node_modules/.bin/wasm-opt ]]; then
  mkdir -p tools && (cd tools && npm install --no-audit --no-fund --loglevel=error --prefix . binaryen@132)
fi
PATH="$PWD/tools/node_modules/.bin:$PATH" LEPTOS_ENV=PROD cargo leptos build --release --precompress --split
