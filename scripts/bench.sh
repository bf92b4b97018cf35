#!/usr/bin/env bash
# make bench: coveo-org-delete side by side with curl, against the project's stand-in of the
# Coveo platform (examples/standin.rs in bench mode: plain HTTP and HTTPS with a fresh test CA,
# every DELETE answered 204), on this machine. No account, no network.
#
# Builds the release binary and the stand-in, starts the stand-in, measures with
# scripts/bench.py (interleaved runs, medians) and prints a Markdown table on stdout; progress
# goes to stderr. Run counts: BENCH_RUNS (single deletions, default 41), BENCH_BATCH_RUNS (200
# deletions, 11), BENCH_LOOP_RUNS (shell loop of 200 curl calls, 5), BENCH_RSS_RUNS (5),
# BENCH_WARMUP (3), BENCH_BATCH (200). Any failed run aborts the benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO=${CARGO:-cargo}

if ! command -v python3 >/dev/null; then
  echo "bench: python3 is needed for the timing loop (scripts/bench.py) and was not found" >&2
  exit 1
fi

echo "bench: building the release binary and the stand-in ..." >&2
"$CARGO" build --release --locked
"$CARGO" build --release --locked --example standin
tool=target/release/coveo-org-delete
standin=target/release/examples/standin

# Crates compiled into the binary: the normal (runtime) dependency tree, each crate once
# ("(*)" marks a repeat), without the project itself.
crates=
if tree=$("$CARGO" tree -e normal --prefix none --locked 2>/dev/null); then
  crates=$(sed 's/ (\*)$//' <<<"$tree" | sort -u | grep -cv '^coveo-org-delete ' || true)
else
  echo "bench: cargo tree failed; no crate count" >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/coveo-org-delete-bench.XXXXXX")
standin_pid=
standin_in=

stop_standin() {
  # Closing its stdin stops the stand-in; kill it (by its pid) only if it does not stop.
  if [[ -n $standin_in ]]; then
    exec {standin_in}>&-
    standin_in=
  fi
  if [[ -n $standin_pid ]]; then
    for _ in $(seq 50); do
      kill -0 "$standin_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$standin_pid" 2>/dev/null; then
      echo "bench: the stand-in did not stop on EOF; killing pid $standin_pid" >&2
      kill "$standin_pid" 2>/dev/null || true
    fi
    wait "$standin_pid" 2>/dev/null || true
    standin_pid=
  fi
  rm -rf "$work"
}
trap stop_standin EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The stand-in serves until its stdin closes; a coprocess holds that pipe for us. It prints the
# HTTP URL, then (after writing the test CA to $work/ca.pem) the HTTPS URL.
coproc STANDIN { exec "$standin" --bench --tls "$work/ca.pem"; }
standin_pid=$STANDIN_PID
standin_in=${STANDIN[1]}
standin_out=${STANDIN[0]}
if ! read -r -t 30 -u "$standin_out" http_url || ! read -r -t 30 -u "$standin_out" https_url; then
  echo "bench: the stand-in did not start" >&2
  exit 1
fi
echo "bench: stand-in at $http_url and $https_url (pid $standin_pid)" >&2

python3 scripts/bench.py --tool "$tool" --http "$http_url" --https "$https_url" \
  --ca "$work/ca.pem" --crates "$crates"
