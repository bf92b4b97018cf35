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

# The nightly clean-up of test organizations. The stand-in also has ci-run test
# organizations 9 days, 3 days and 2 hours old, one 5 days old whose deletion is already under
# way (the listing leaves it out), and a production one named ci-dashboard.
step "List the organizations the token can see: one JSON line each, oldest first; the last line, end_of_list, says the listing is complete" \
  COVEO_TOKEN=demo-token "$bin" --platform-url "$url" --list
step "Only test organizations named ci-... and created more than 2 days ago" \
  COVEO_TOKEN=demo-token "$bin" --platform-url "$url" --list --type Test --name-prefix ci- --older-than 2d

# The token of the pipeline comes from a Coveo CLI login, as 'coveo auth:login' stores it.
cli_login=$(mktemp -d)
trap 'rm -f "$errors"; rm -rf "$cli_login"' EXIT
printf '{"version":"1.1.0","region":"us","environment":"prod","accessToken":"demo-token","anonymous":false}\n' \
  >"$cli_login/config.json"
list_errors="$cli_login/list.err"

# pipe_step TITLE TOKEN_SETTING LIST_OPTION...: the listing (with TOKEN_SETTING and the list
# options) piped into a deletion (with the CLI login), two processes joined by a pipe as cron
# runs them. A cron script runs it under 'set -o pipefail': the pipeline's status is then that
# of its last command that failed.
pipe_step() {
  local title=$1 token_setting=$2
  shift 2
  echo "== $title"
  echo "\$ $token_setting $bin --platform-url $url --list $* \\"
  echo "    | COVEO_CONFIG_DIR=$cli_login $bin --platform-url $url --yes --missing-ok --from-file -"
  local statuses status
  set +e
  env "$token_setting" "$bin" --platform-url "$url" --list "$@" 2>"$list_errors" \
    | env COVEO_CONFIG_DIR="$cli_login" "$bin" --platform-url "$url" --yes --missing-ok --from-file - 2>"$errors" \
    | sed 's/^/  stdout: /'
  statuses=("${PIPESTATUS[@]}")
  set -e
  sed 's/^/  stderr (listing): /' "$list_errors"
  sed 's/^/  stderr (deletion): /' "$errors"
  status=0
  for s in "${statuses[@]:0:2}"; do
    if [ "$s" -ne 0 ]; then status=$s; fi
  done
  echo "  exit statuses: listing ${statuses[0]}, deletion ${statuses[1]}; with set -o pipefail, the pipeline's: $status"
  echo
}

pipe_step "A listing that fails (a token the platform refuses): nothing is deleted, and the deletion exits 3 like the listing" \
  COVEO_TOKEN=not-a-user-token --type Test --name-prefix ci- --older-than 2d
pipe_step "A listing too wide (no --type): the production ci-dashboard stops the deletion (protected, exit 2); nothing is deleted" \
  COVEO_CONFIG_DIR="$cli_login" --name-prefix ci- --older-than 2d
pipe_step "The nightly clean-up: only test organizations; the old ones are deleted, the one being deleted is left out" \
  COVEO_CONFIG_DIR="$cli_login" --type Test --name-prefix ci- --older-than 2d
step "What is left: the test still running, the production ci-dashboard, the demo organizations" \
  COVEO_CONFIG_DIR="$cli_login" "$bin" --platform-url "$url" --list

# Closing its stdin stops the stand-in.
exec {STANDIN[1]}>&-
wait
