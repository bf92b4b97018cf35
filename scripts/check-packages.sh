#!/usr/bin/env bash
# make check-packages (and CI, after make test): builds the release tarball (make dist) and the
# Debian package (make deb) from the checkout, then checks what each holds:
# - the tarball: exactly the expected files, in one top folder, owned by 0, the same bytes as
#   the repository's, and SHA256SUMS passing `sha256sum -c`;
# - the .deb: its name, fields and exactly the expected paths, unpacked with `dpkg-deb -x` into
#   a temporary folder (it is never installed on this machine);
# - the binary of each, run from where it was unpacked: --version, and one real deletion
#   against the stand-in platform (examples/standin.rs), in an environment as bare as cron's.
set -euo pipefail
cd "$(dirname "$0")/.."

name=coveo-org-delete
version=$(awk -F'"' '/^\[/ { pkg = ($0 == "[package]") } pkg && /^version *=/ { print $2; exit }' Cargo.toml)
top=$name-$version
tarball=target/dist/$top-$(uname -m)-linux.tar.gz
deb=target/debian/${name}_${version}-1_amd64.deb

passed=0
failed=0
# check DESCRIPTION COMMAND...: runs COMMAND and counts it; the run goes on after a failure so
# that one run shows everything that is wrong.
check() {
  local what=$1; shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok: $what"
  else
    failed=$((failed + 1))
    echo "FAILED: $what"
  fi
}

# same_lines EXPECTED ACTUAL: the two texts hold the same lines, or the difference is shown.
same_lines() {
  diff <(printf '%s\n' "$1") <(printf '%s\n' "$2") >&2
}

work=$(mktemp -d)
standin_pid=
cleanup() {
  if [ -n "$standin_pid" ]; then kill "$standin_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

tree_before=$(git status --porcelain 2>/dev/null || true)

echo "== Building the packages (make dist, make deb)"
rm -rf target/dist target/dist-stage target/debian target/deb
make --no-print-directory dist
make --no-print-directory deb
echo

echo "== The tarball $tarball"
expected_tar_files="$top/CHANGELOG.md
$top/LICENSE-APACHE
$top/LICENSE-MIT
$top/README.md
$top/completions/_$name
$top/completions/$name.bash
$top/completions/$name.fish
$top/doc/$name.1
$top/$name"
check "the tarball exists" test -f "$tarball"
entries=$(tar -tzf "$tarball" | LC_ALL=C sort)
check "it holds exactly the expected files" \
  same_lines "$(LC_ALL=C sort <<<"$expected_tar_files")" "$(grep -v '/$' <<<"$entries")"
check "everything is in the one top folder $top/" \
  test -z "$(grep -v "^$top/" <<<"$entries")"
check "every entry is owned by 0/0" \
  test -z "$(tar --numeric-owner -tvzf "$tarball" | awk '$2 != "0/0"')"
check "SHA256SUMS passes sha256sum -c" bash -c 'cd target/dist && sha256sum -c --strict SHA256SUMS'
check "SHA256SUMS names the tarball" grep -q " $(basename "$tarball")\$" target/dist/SHA256SUMS

mkdir "$work/tar"
tar -xzf "$tarball" -C "$work/tar"
for f in CHANGELOG.md LICENSE-APACHE LICENSE-MIT README.md doc/$name.1 \
  completions/_$name completions/$name.bash completions/$name.fish; do
  check "$f is the repository's" cmp -s "$f" "$work/tar/$top/$f"
done
tar_bin=$work/tar/$top/$name
check "the binary is executable" test -x "$tar_bin"
check "the binary is stripped (no symbol table)" bash -c "! readelf -S '$tar_bin' | grep -q '\.symtab'"
echo

echo "== The Debian package $deb"
check "the .deb exists under that name" test -f "$deb"
check "Package is $name" test "$(dpkg-deb -f "$deb" Package)" = "$name"
check "Version is $version-1" test "$(dpkg-deb -f "$deb" Version)" = "$version-1"
check "Architecture is amd64" test "$(dpkg-deb -f "$deb" Architecture)" = amd64
depends=$(dpkg-deb -f "$deb" Depends)
echo "   Depends: $depends"
check "it depends on libc6 only" grep -Eqx 'libc6 \(>= [0-9.]+\)' <<<"$depends"
expected_deb_files="./usr/bin/$name
./usr/share/bash-completion/completions/$name
./usr/share/doc/$name/README.md
./usr/share/doc/$name/changelog.gz
./usr/share/doc/$name/copyright
./usr/share/fish/vendor_completions.d/$name.fish
./usr/share/man/man1/$name.1.gz
./usr/share/zsh/vendor-completions/_$name"
check "it holds exactly the expected files" \
  same_lines "$(LC_ALL=C sort <<<"$expected_deb_files")" \
  "$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $6 }' | LC_ALL=C sort)"
check "every entry is owned by 0/0" \
  test -z "$(dpkg-deb -c "$deb" | awk '$2 != "0/0" && $2 != "root/root"')"

mkdir "$work/deb"
dpkg-deb -x "$deb" "$work/deb"
root=$work/deb
check "the man page is the repository's, gzipped" \
  bash -c "gzip -dc '$root/usr/share/man/man1/$name.1.gz' | cmp -s - doc/$name.1"
check "the changelog is CHANGELOG.md, gzipped" \
  bash -c "gzip -dc '$root/usr/share/doc/$name/changelog.gz' | cmp -s - CHANGELOG.md"
check "the bash completion is the repository's" \
  cmp -s "completions/$name.bash" "$root/usr/share/bash-completion/completions/$name"
check "the zsh completion is the repository's" \
  cmp -s "completions/_$name" "$root/usr/share/zsh/vendor-completions/_$name"
check "the fish completion is the repository's" \
  cmp -s "completions/$name.fish" "$root/usr/share/fish/vendor_completions.d/$name.fish"
check "README.md is the repository's" cmp -s README.md "$root/usr/share/doc/$name/README.md"
check "copyright names both licences" \
  grep -qx 'License: MIT or Apache-2.0' "$root/usr/share/doc/$name/copyright"
deb_bin=$root/usr/bin/$name
check "/usr/bin/$name is executable" test -x "$deb_bin"
check "it is the tarball's binary" cmp -s "$deb_bin" "$tar_bin"
echo

echo "== Running the binaries from where they were unpacked"
for bin in "$tar_bin" "$deb_bin"; do
  out=$(timeout 30 env -i PATH=/usr/bin:/bin "$bin" --version) || out="exit status $?"
  echo "   $out"
  check "${bin#"$work"/} --version prints '$name $version'" test "$out" = "$name $version"
done

cargo build --locked --quiet --example standin
# The stand-in serves until its stdin closes: the coprocess's stdin is a pipe held here.
coproc STANDIN { exec target/debug/examples/standin; }
standin_pid=$STANDIN_PID
url=
read -r -t 60 -u "${STANDIN[0]}" url || true
check "the stand-in platform started ($url)" test -n "$url"

# delete BINARY ORG: one real deletion, in an environment as bare as cron's.
delete() {
  local bin=$1 org=$2 line status=0
  line=$(timeout 60 env -i PATH=/usr/bin:/bin HOME="$work" COVEO_TOKEN=demo-token \
    "$bin" --platform-url "$url" --yes "$org" 2>"$work/stderr") || status=$?
  echo "   $line"
  sed 's/^/   stderr: /' "$work/stderr"
  [ "$status" -eq 0 ] || { echo "   exit status $status" >&2; return 1; }
  grep -q "^{\"organization_id\":\"$org\",\"ok\":true,\"result\":\"deleted\"," <<<"$line"
}
if [ -n "$url" ]; then
  check "the tarball's binary deletes demoorg1: result deleted, exit 0" delete "$tar_bin" demoorg1
  check "the .deb's binary deletes demoorg2: result deleted, exit 0" delete "$deb_bin" demoorg2
fi
exec {STANDIN[1]}>&-
wait "$standin_pid" 2>/dev/null || true
standin_pid=
echo

check "the build left the work tree as it was" \
  same_lines "$tree_before" "$(git status --porcelain 2>/dev/null || true)"

echo "check-packages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
