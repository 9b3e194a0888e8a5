#!/usr/bin/env bash
# What the Mini App's first launch downloads, measured in ~5 minutes instead of a full release
# build: the hydrate wasm is built exactly as `cargo leptos build --release --split` builds it
# (same flags, same target dir, so either reuses the other's work), split into the main module
# and its lazy chunks, and only the main module goes through wasm-bindgen and wasm-opt -Oz.
# Prints its bytes, brotli and gzip, and twiggy's largest items of the split module before
# optimisation (names are still there). Usage: scripts/wasm-size.sh [twiggy rows, default 25]
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-25}"
scripts/install-tools.sh >/dev/null
[[ -x tools/node_modules/.bin/wasm-opt ]] || (mkdir -p tools && cd tools && npm install --no-audit --no-fund --loglevel=error --prefix . binaryen@132)
command -v wasm-split-cli >/dev/null || cargo install wasm_split_cli_support --version 0.2.3 --features build-binary --locked
command -v twiggy >/dev/null || cargo install twiggy --version 0.8.0 --locked
python3 -c 'import brotli' 2>/dev/null || pip install -q brotli

# cargo-leptos 0.3.10's flags for a split release build (config/project.rs).
RUSTFLAGS="${RUSTFLAGS:-} -Clink-args=--emit-relocs --cfg erase_components" \
  cargo build --package=frontend --lib --target-dir=target/front --target=wasm32-unknown-unknown \
  --no-default-features --profile=wasm-release
# WASM_SIZE_KEEP=dir keeps the split modules there (for `twiggy paths` and the like).
if [[ -n "${WASM_SIZE_KEEP:-}" ]]; then
  out="$WASM_SIZE_KEEP"; rm -rf "$out"; mkdir -p "$out"
else
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
wasm-split-cli target/front/wasm32-unknown-unknown/wasm-release/frontend.wasm "$out/split" --out-name attest >/dev/null
wasm-bindgen --target=web --keep-lld-exports --no-demangle --out-name=attest --out-dir="$out/bg" "$out/split/attest.wasm"
tools/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  "$out/bg/attest_bg.wasm" -o "$out/main.wasm"
python3 - "$out/main.wasm" "$out/split" <<'EOF'
import brotli, gzip, pathlib, sys
main = pathlib.Path(sys.argv[1]).read_bytes()
chunks = [p for p in pathlib.Path(sys.argv[2]).glob('*.wasm') if p.name != 'attest.wasm']
print(f"main wasm: {len(main):,} bytes, {len(brotli.compress(main, quality=11)):,} brotli, "
      f"{len(gzip.compress(main, 9)):,} gzip; {len(chunks)} lazy chunks (unoptimised)")

def leb(b, i):
    n = shift = 0
    while True:
        x = b[i]; i += 1
        n |= (x & 0x7f) << shift; shift += 7
        if x < 0x80:
            return n, i

names = {1: 'types', 2: 'imports', 3: 'functions', 4: 'table', 7: 'exports', 9: 'elements',
         10: 'code', 11: 'data'}
i = 8
while i < len(main):
    sid = main[i]; size, j = leb(main, i + 1)
    body = main[j:j + size]
    if size > 4096:
        print(f"  {names.get(sid, sid)!s:10} {size:>10,} bytes {len(brotli.compress(body, quality=11)):>9,} brotli")
    i = j + size
EOF
twiggy top -n "$rows" "$out/split/attest.wasm" | grep -v '"function names"\|__wasm_bindgen_unstable\|__wbindgen_describe'
