# Everything runs with --locked: Cargo.lock is committed and is what CI builds.
CARGO ?= cargo
# make install PREFIX=/usr/local puts the binary in $(PREFIX)/bin, the man page and the shell
# completions under $(PREFIX)/share; without PREFIX, cargo install puts the binary (and only
# the binary) in ~/.cargo/bin (or $CARGO_INSTALL_ROOT/bin, $CARGO_HOME/bin).
PREFIX ?=

NAME := coveo-org-delete
# The version of the [package] table of Cargo.toml: the one place it is written.
VERSION := $(shell awk -F'"' '/^\[/ { pkg = ($$0 == "[package]") } pkg && /^version *=/ { print $$2; exit }' Cargo.toml)
# The files shipped beside the binary, as the repository holds them.
MAN_PAGE := doc/$(NAME).1
BASH_COMPLETION := completions/$(NAME).bash
ZSH_COMPLETION := completions/_$(NAME)
FISH_COMPLETION := completions/$(NAME).fish
SHIPPED_DOCS := $(MAN_PAGE) $(BASH_COMPLETION) $(ZSH_COMPLETION) $(FISH_COMPLETION)
# Release archives carry this as every file's date, so that the same commit gives the same
# bytes: the last commit's date (or the environment's SOURCE_DATE_EPOCH).
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || stat -c %Y Cargo.toml)

DIST_NAME := $(NAME)-$(VERSION)
DIST_STAGE := target/dist-stage
TARBALL := target/dist/$(DIST_NAME)-$(shell uname -m)-linux.tar.gz

# cargo-deb, installed by `make deb` when missing. Pinned: the toolchain of the machines is
# fixed, and a later cargo-deb may need a newer one.
CARGO_DEB_VERSION ?= 3.8.0

.PHONY: build test install docs demo standin bench mutants dist deb check-packages clean

build:
	$(CARGO) build --release --locked

test:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets --locked -- -D warnings
	$(CARGO) test --locked

# The man page and the completions are committed, made from the tables of src/cli.rs and
# src/kind.rs by examples/docs.rs; the test suite fails while they are not what it makes.
# After changing a table (a flag, a variable, an exit status, an example): make docs, commit.
docs:
	$(CARGO) run --locked --quiet --example docs

# They are never made on the way to install, dist or deb (those ship what is committed); a
# missing one is named.
$(SHIPPED_DOCS):
	@echo "$@ is missing: run make docs" >&2; exit 1

ifeq ($(strip $(PREFIX)),)
install:
	$(CARGO) install --path . --locked
	@echo "Installed $${CARGO_INSTALL_ROOT:-$${CARGO_HOME:-$$HOME/.cargo}}/bin/$(NAME)"
	@echo "(cargo install installs the binary only; for the man page and the shell completions too: make install PREFIX=...)"
else
install: build $(SHIPPED_DOCS)
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(PREFIX)/share/man/man1" \
		"$(DESTDIR)$(PREFIX)/share/bash-completion/completions" \
		"$(DESTDIR)$(PREFIX)/share/zsh/site-functions" \
		"$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d"
	install -m 755 target/release/$(NAME) "$(DESTDIR)$(PREFIX)/bin/$(NAME)"
	install -m 644 $(MAN_PAGE) "$(DESTDIR)$(PREFIX)/share/man/man1/$(NAME).1"
	install -m 644 $(BASH_COMPLETION) "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/$(NAME)"
	install -m 644 $(ZSH_COMPLETION) "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_$(NAME)"
	install -m 644 $(FISH_COMPLETION) "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/$(NAME).fish"
	@echo "Installed $(DESTDIR)$(PREFIX)/bin/$(NAME)"
	@echo "Installed the man page $(DESTDIR)$(PREFIX)/share/man/man1/$(NAME).1"
	@echo "Installed the bash completion $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$(NAME)"
	@echo "Installed the zsh completion $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_$(NAME)"
	@echo "Installed the fish completion $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/$(NAME).fish"
endif

# The release tarball for hosts without Rust: one folder $(DIST_NAME)/ with the stripped
# binary, the man page, the completions, README, licences and changelog; SHA256SUMS beside
# it. Reproducible: names sorted, every date SOURCE_DATE_EPOCH, owner and group 0, gzip -n.
dist: build $(SHIPPED_DOCS)
	rm -rf $(DIST_STAGE) target/dist
	install -d $(DIST_STAGE)/$(DIST_NAME)/doc $(DIST_STAGE)/$(DIST_NAME)/completions target/dist
	install -m 755 target/release/$(NAME) $(DIST_STAGE)/$(DIST_NAME)/$(NAME)
	install -m 644 README.md CHANGELOG.md LICENSE-MIT LICENSE-APACHE $(DIST_STAGE)/$(DIST_NAME)/
	install -m 644 $(MAN_PAGE) $(DIST_STAGE)/$(DIST_NAME)/doc/
	install -m 644 $(BASH_COMPLETION) $(ZSH_COMPLETION) $(FISH_COMPLETION) $(DIST_STAGE)/$(DIST_NAME)/completions/
	tar --sort=name --mtime=@$(SOURCE_DATE_EPOCH) --owner=0 --group=0 --numeric-owner \
		--mode=u+w,go-w,a+rX --format=gnu -C $(DIST_STAGE) -cf $(DIST_STAGE)/$(DIST_NAME).tar $(DIST_NAME)
	gzip -9 -n -c $(DIST_STAGE)/$(DIST_NAME).tar > $(TARBALL)
	cd target/dist && sha256sum $(notdir $(TARBALL)) > SHA256SUMS
	@echo "Built $(TARBALL) and target/dist/SHA256SUMS"

# The Debian package (Cargo.toml's [package.metadata.deb] says what goes where); cargo-deb
# prints the path of the .deb it wrote: target/debian/$(NAME)_$(VERSION)-1_amd64.deb. It
# packages the binary of `make build` (--no-build), the same as the tarball's: a build by
# cargo-deb itself would run with SOURCE_DATE_EPOCH set, which the C part of ring's build
# watches, so each of the two builds would redo the other's.
deb: build $(SHIPPED_DOCS)
	$(CARGO) deb --version >/dev/null 2>&1 || $(CARGO) install --locked cargo-deb --version $(CARGO_DEB_VERSION)
	install -d target/deb
	bash scripts/deb-copyright.sh > target/deb/copyright
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) $(CARGO) deb --locked --no-build

# What CI runs after make test: builds both packages and checks what they hold.
check-packages:
	bash scripts/check-packages.sh

demo:
	bash scripts/demo.sh

# The stand-in platform in the foreground, to try the tool by hand from another terminal.
# STANDIN_ARGS plays what the real platform may do: make standin STANDIN_ARGS="--page-size 2
# --report-object" (pages shorter than asked for, the privilege report as an object).
STANDIN_ARGS ?=
standin:
	@echo "Building the tool and the stand-in platform (the first build takes a minute or two)..."
	$(CARGO) build --locked --quiet --bin $(NAME) --example standin
	@target/debug/examples/standin --by-hand $(STANDIN_ARGS)

bench:
	bash scripts/bench.sh

# Mutation testing of src/ (configured in .cargo/mutants.toml: tests run by cargo-nextest,
# which stops at a mutant's first failing test); not part of `make test` or CI: a full run
# takes over an hour on two cores. Narrow it, e.g.
#   make mutants MUTANTS_ARGS="--file src/retry.rs -j 1"
# or go on from the last run, testing only what it did not catch:
#   make mutants MUTANTS_ARGS="--iterate -j 2"
# Results go to mutants.out/ (missed.txt, caught.txt, timeout.txt).
MUTANTS_ARGS ?=
mutants:
	$(CARGO) mutants --version >/dev/null 2>&1 || $(CARGO) install --locked cargo-mutants
	$(CARGO) nextest --version >/dev/null 2>&1 || $(CARGO) install --locked cargo-nextest
	$(CARGO) mutants $(MUTANTS_ARGS)

clean:
	$(CARGO) clean
