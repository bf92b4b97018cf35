# Everything runs with --locked: Cargo.lock is committed and is what CI builds.
CARGO ?= cargo
# make install PREFIX=/usr/local puts the binary in $(PREFIX)/bin; without PREFIX, cargo
# install puts it in ~/.cargo/bin (or $CARGO_INSTALL_ROOT/bin, $CARGO_HOME/bin).
PREFIX ?=

.PHONY: build test install demo standin bench mutants clean

build:
	$(CARGO) build --release --locked

test:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets --locked -- -D warnings
	$(CARGO) test --locked

ifeq ($(strip $(PREFIX)),)
install:
	$(CARGO) install --path . --locked
	@echo "Installed $${CARGO_INSTALL_ROOT:-$${CARGO_HOME:-$$HOME/.cargo}}/bin/coveo-org-delete"
else
install: build
	install -d "$(DESTDIR)$(PREFIX)/bin"
	install -m 755 target/release/coveo-org-delete "$(DESTDIR)$(PREFIX)/bin/coveo-org-delete"
	@echo "Installed $(DESTDIR)$(PREFIX)/bin/coveo-org-delete"
endif

demo:
	bash scripts/demo.sh

# The stand-in platform in the foreground, to try the tool by hand from another terminal.
standin:
	@echo "Building the tool and the stand-in platform (the first build takes a minute or two)..."
	$(CARGO) build --locked --quiet --bin coveo-org-delete --example standin
	@target/debug/examples/standin --by-hand

bench:
	bash scripts/bench.sh

# Mutation testing of src/ (configured in .cargo/mutants.toml); not part of `make test` or CI:
# a full run takes hours on two cores. Narrow it, e.g.
#   make mutants MUTANTS_ARGS="--file src/retry.rs -j 1"
# Results go to mutants.out/ (missed.txt, caught.txt, timeout.txt).
MUTANTS_ARGS ?=
mutants:
	$(CARGO) mutants --version >/dev/null 2>&1 || $(CARGO) install --locked cargo-mutants
	$(CARGO) mutants $(MUTANTS_ARGS)

clean:
	$(CARGO) clean
