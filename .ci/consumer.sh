#!/usr/bin/env bash
# Build and test digilocker-kyc the way the README tells library users to
# depend on it: a new crate with the README's dependency lines (a path
# instead of the version), the README's Sandbox quickstart as its main.rs
# (built, not run: it needs real credentials) and the README's simulator
# example as its test (run, against the embedded simulator).
# Usage: .ci/consumer.sh <digilocker-kyc checkout> <empty folder>
set -euo pipefail
src="$(cd "$1" && pwd)"
dir="$2"
mkdir -p "$dir/src" "$dir/tests"

# The n-th ```rust block after the heading line $2 of README.md.
block() {
  awk -v head="$1" -v want="$2" '
    $0 == head { inside_section = 1; next }
    inside_section && /^```rust/ { n++; if (n == want) { on = 1; next } }
    on && /^```/ { exit }
    on { print }
  ' "$src/README.md"
}

block "## Library quickstart" 1 > "$dir/src/main.rs"
block "## The simulator in your tests" 1 > "$dir/tests/readme_simulator.rs"
for f in "$dir/src/main.rs" "$dir/tests/readme_simulator.rs"; do
  [ -s "$f" ] || { echo "no README block for $f" >&2; exit 1; }
done

# The README's dependency lines, with a path for the version.
grep -q 'digilocker-kyc = { version = "0.1", default-features = false, features = \["rustls"\] }' "$src/README.md"
grep -q 'digilocker-kyc = { version = "0.1", features = \["simulator"\] }' "$src/README.md"
cat > "$dir/Cargo.toml" <<TOML
[package]
name = "readme-consumer"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
digilocker-kyc = { path = "$src", default-features = false, features = ["rustls"] }
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }

[dev-dependencies]
digilocker-kyc = { path = "$src", features = ["simulator"] }

# The README's simulator example is a whole program with its own main.
[[test]]
name = "readme_simulator"
harness = false

[workspace]
TOML
cp "$src/Cargo.lock" "$dir/Cargo.lock"
cd "$dir"
cargo build
cargo test
