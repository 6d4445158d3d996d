#!/usr/bin/env bash
# Build cost of the crate, as BENCHMARKS.md reports it: a clean build and a
# rebuild after an edit of the bundled Eko spec, for the default features
# (CLI, simulator, spec tools, rustls) and for the library alone
# (`--no-default-features --features rustls`).
#
# Usage: bash benches/build-cost.sh [--release]
#
# Builds into a fresh temporary target directory (deleted afterwards), so
# the project's own target/ is untouched; the cargo registry must already
# hold the dependencies' sources (`cargo fetch`), so that download time is
# not counted. Prints one JSON line per figure.
set -euo pipefail
cd "$(dirname "$0")/.."

profile_args=()
profile=dev
if [[ "${1:-}" == "--release" ]]; then
  profile_args=(--release)
  profile=release
fi

cargo fetch --quiet
spec=openapi/eko-digilocker.yaml
backup=$(mktemp)
cp "$spec" "$backup"
target=$(mktemp -d)
trap 'cp "$backup" "$spec"; rm -rf "$target" "$backup"' EXIT

seconds() { # seconds COMMAND... -> wall seconds of the command (0.1 s)
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1
  t1=$(date +%s%N)
  local ds=$(((t1 - t0) / 100000000))
  echo "$((ds / 10)).$((ds % 10))"
}

for features in default lib; do
  if [[ $features == default ]]; then
    fargs=()
  else
    fargs=(--no-default-features --features rustls)
  fi
  dir="$target/$features"
  clean=$(seconds env CARGO_TARGET_DIR="$dir" cargo build "${profile_args[@]}" "${fargs[@]}")
  # A spec edit that changes nothing generated: build.rs runs again and the
  # crate is recompiled; dependencies are not.
  echo "# build-cost edit $(date +%s%N)" >>"$spec"
  rebuild=$(seconds env CARGO_TARGET_DIR="$dir" cargo build "${profile_args[@]}" "${fargs[@]}")
  cp "$backup" "$spec"
  # Nothing changed: the no-op build.
  noop=$(seconds env CARGO_TARGET_DIR="$dir" cargo build "${profile_args[@]}" "${fargs[@]}")
  for pair in "clean:$clean" "rebuild_after_spec_edit:$rebuild"; do
    printf '{"figure":"build_%s_%s_%s_s","value":%.1f,"unit":"s","target":null,"pass":null,"detail":{"features":"%s","args":"%s","profile":"%s","cores":%s,"noop_build_s":%.1f}}\n' \
      "$profile" "$features" "${pair%%:*}" "${pair#*:}" "$features" "${fargs[*]:-}" "$profile" "$(nproc)" "$noop"
  done
done
