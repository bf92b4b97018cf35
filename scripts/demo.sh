#!/usr/bin/env bash
# make demo: real deletions against the local stand-in of the Coveo platform (the one the
# tests use, run as examples/standin.rs). No account, no network.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "make demo: building coveo-org-delete and a local stand-in of the Coveo platform"
echo "(the first build takes a minute or two), then running real deletions against it."
echo
cargo build --locked --quiet --bin coveo-org-delete --example standin
bin=target/debug/coveo-org-delete

# The stand-in serves until its stdin closes; a coprocess holds that pipe for us.
coproc STANDIN { exec target/debug/examples/standin; }
read -r -u "${STANDIN[0]}" url
echo "Stand-in platform at $url: organizations demoorg1, demoorg2, demopaused (read-only);"
echo "token 'demo-token' may delete."
echo

errors=$(mktemp)
trap 'rm -f "$errors"' EXIT

step() {
  local title=$1; shift
  echo "== $title"
  echo "\$ $*"
  local status
  set +e
  env "$@" 2>"$errors" | sed 's/^/  stdout: /'
  status=${PIPESTATUS[0]}
  set -e
  sed 's/^/  stderr: /' "$errors"
  echo "  exit status: $status"
  echo
}

step "Delete an organization" \
  COVEO_TOKEN=demo-token "$bin" --platform-url "$url" --yes demoorg1
step "Delete it again: it is gone (404 -> not_found, exit 4)" \
  COVEO_TOKEN=demo-token "$bin" --platform-url "$url" --yes demoorg1
step "The same with --missing-ok: already_absent counts as success" \
  COVEO_TOKEN=demo-token "$bin" --platform-url "$url" --yes --missing-ok demoorg1
step "A token the platform refuses (401 -> unauthorized, exit 3)" \
  COVEO_TOKEN=not-a-user-token "$bin" --platform-url "$url" --yes demoorg2
step "A dry run checks without deleting (demopaused is read-only: exit 1)" \
  COVEO_TOKEN=demo-token "$bin" --platform-url "$url" --dry-run demoorg2 demopaused
step "A hostile ID is refused before anything is sent (exit 2)" \
  COVEO_TOKEN=demo-token "$bin" --platform-url "$url" --yes "demoorg2/../demoorg1"
step "Without --yes and without a terminal, nothing is deleted (exit 2)" \
  COVEO_TOKEN=demo-token "$bin" --platform-url "$url" demoorg2

# Closing its stdin stops the stand-in.
exec {STANDIN[1]}>&-
wait
