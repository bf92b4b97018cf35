# Everything runs with --locked: Cargo.lock is committed and is what CI builds.
CARGO ?= cargo

.PHONY: build test install demo bench clean

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

clean:
	$(CARGO) clean
