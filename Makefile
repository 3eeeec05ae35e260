# IOC Live — the README's two commands, and a few helpers.
#   make run    build in release mode and serve the dashboard at http://127.0.0.1:3000
#   make test   every test: Rust unit and integration tests, then the browser tests
# Both install the pinned tools they need first (.ci/tools), skipping what is present.

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

# `make run` builds where `target/release/ioc` is expected; `make test` keeps its build in a
# shared directory outside the clone, so repeated runs (CI on a clean clone) are incremental.
RUN_TARGET := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
TEST_TARGET := $(or $(CARGO_TARGET_DIR),$(HOME)/.cache/ioc-live/target)

# The integration tests run a second time on PostgreSQL: the machine's server (trust
# auth, as on the project's machines) unless IOC_TEST_POSTGRES_URL names another; each test
# makes a database of its own there and drops it. The same package selection as `cargo test`
# (no -p) keeps the features the same, so the second run reuses the first run's binaries.
IOC_TEST_POSTGRES_URL ?= $(shell pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && echo postgres://postgres@127.0.0.1:5432/test)
export IOC_TEST_POSTGRES_URL

.PHONY: run test test-rust test-postgres test-browser build bench bench-postgres soak-wall

run: build
	$(RUN_TARGET)/release/ioc serve

test: test-rust test-postgres test-browser

test-rust:
	.ci/tools
	CARGO_TARGET_DIR=$(TEST_TARGET) cargo test --locked

test-postgres:
	.ci/tools --proxy
	@if [ -z "$$IOC_TEST_POSTGRES_URL" ]; then \
	  echo "PostgreSQL run skipped: no server answers at 127.0.0.1:5432 and IOC_TEST_POSTGRES_URL is not set"; \
	else \
	  echo "integration tests on PostgreSQL ($$IOC_TEST_POSTGRES_URL)"; \
	  IOC_TEST_STORE=postgres CARGO_TARGET_DIR=$(TEST_TARGET) cargo test --locked --test '*'; \
	fi

test-browser:
	.ci/tools --browser
	CARGO_TARGET_DIR=$(TEST_TARGET) cargo leptos build
	CARGO_TARGET_DIR=$(TEST_TARGET) .ci/screens
	IOC_BIN=$(TEST_TARGET)/debug/ioc npm --prefix end2end test

# the release build alone: the server and the overview's bundle (cargo leptos), then the
# other live screens' bundles (.ci/screens); static files are precompressed (brotli by
# cargo-leptos, gzip at the best level here) so the server sends them without compressing
# per request
build:
	.ci/tools --release
	CARGO_TARGET_DIR=$(RUN_TARGET) cargo leptos build --release --precompress
	CARGO_TARGET_DIR=$(RUN_TARGET) .ci/screens --release
	gzip -9 -k -f $(RUN_TARGET)/site/pkg/*.wasm $(RUN_TARGET)/site/pkg/*.js $(RUN_TARGET)/site/pkg/*.css

bench: build
	.ci/bench $(RUN_TARGET)

bench-postgres: build
	.ci/bench-postgres $(RUN_TARGET) $(or $(IOC_TEST_POSTGRES_URL),postgres://postgres@127.0.0.1:5432/test)

# a wall left alone for an hour under a stream of figures: its heap and DOM (BENCHMARKS.md,
# "Wall soak"); SOAK_MINUTES=… for another length
soak-wall:
	.ci/tools --browser
	CARGO_TARGET_DIR=$(TEST_TARGET) cargo leptos build
	IOC_BIN=$(TEST_TARGET)/debug/ioc node end2end/soak/wall.mjs
