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
  if ! "$@" >/dev/null 2>&1; then
    echo "build-cost: failed: $*" >&2
    echo null
    return
  fi
  t1=$(date +%s%N)
  local ds=$(((t1 - t0) / 100000000))
  echo "$((ds / 10)).$((ds % 10))"
}

emit() { # emit NAME SECONDS FEATURES ARGS NOTE
  printf '{"figure":"build_%s_%s_%s_s","value":%s,"unit":"s","target":null,"pass":null,"detail":{"features":"%s","args":"%s","profile":"%s","cores":%s,"note":"%s"}}\n' \
    "$profile" "$3" "$1" "$2" "$3" "$4" "$profile" "$(nproc)" "$5"
}

for features in default lib; do
  if [[ $features == default ]]; then
    # The whole workspace (library, spec tools, the digilocker CLI).
    fargs=(--workspace)
  else
    # The library as a user's build sees it (default features: rustls).
    fargs=(-p digilocker-kyc)
  fi
  build() { env CARGO_TARGET_DIR="$target/$features" "$@" cargo build "${profile_args[@]}" "${fargs[@]}"; }
  restore() { cp "$backup" "$spec"; build >/dev/null 2>&1; }

  emit clean "$(seconds build)" "$features" "${fargs[*]:-}" "empty target dir, sources already fetched"
  emit noop "$(seconds build)" "$features" "${fargs[*]:-}" "nothing changed"

  # A comment appended to the spec: build.rs runs again, the generated code
  # is the same, incremental compilation reuses nearly everything.
  echo "# build-cost edit" >>"$spec"
  emit rebuild_after_spec_comment_edit "$(seconds build)" "$features" "${fargs[*]:-}" "comment appended to $spec"
  restore

  # An edit that changes the generated code: an operation's summary (its
  # doc comment).
  sed -i 's/^      summary: Create a DigiLocker consent URL$/      summary: Create a DigiLocker consent URL (edited)/' "$spec"
  emit rebuild_after_spec_doc_edit "$(seconds build)" "$features" "${fargs[*]:-}" "summary of create_digilocker_url edited"
  restore

  # The same, without incremental compilation (as CI builds).
  sed -i 's/^      summary: Create a DigiLocker consent URL$/      summary: Create a DigiLocker consent URL (edited)/' "$spec"
  emit rebuild_after_spec_doc_edit_no_incremental "$(seconds build CARGO_INCREMENTAL=0)" "$features" "${fargs[*]:-}" "as above, CARGO_INCREMENTAL=0"
  restore
done
