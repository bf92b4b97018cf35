# Everything runs with --locked: Cargo.lock is committed and is what CI builds.
CARGO ?= cargo

.PHONY: build test install demo bench mutants clean

build:
	$(CARGO) build --release --locked

test:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets --locked -- -D warnings
	$(CARGO) test --locked

install:
	$(CARGO) install --path . --locked

demo:
	bash scripts/demo.sh

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
