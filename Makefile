# Vigil: make run (build and run the collector on its default config),
# make test (every test, against the real kernel and Docker).
SHELL := /bin/bash
GO ?= go
TOOLS := $(GO) tool -modfile=internal/tools/go.mod
BIN := _build/otelcol-vigil
TEST_FLAGS ?= -count=1 -timeout 40m

.PHONY: setup generate build run test bench vet fuzz check-generate clean

setup: ## install packages, mount bpffs/tracefs, start dockerd (root, idempotent)
	./scripts/setup.sh

generate: ## regenerate BPF objects (bpf2go, clang-14) and component metadata (mdatagen)
	$(GO) generate ./...

check-generate: generate ## fail when generated files differ from the committed ones
	@git diff --exit-code --stat -- . || { echo "make generate changed committed files: commit its output" >&2; exit 1; }
	@test -z "$$(git status --porcelain --untracked-files=all -- bpf receiver)" || { git status --short; echo "make generate left untracked files" >&2; exit 1; }

build: ## build the otelcol-vigil distribution with the Collector Builder
	$(TOOLS) builder --config builder-config.yaml

run: setup build ## run otelcol-vigil as root on its embedded default config
	@mkdir -p $${VIGIL_OUTPUT_DIR:-/var/lib/vigil}
	@echo "otelcol-vigil: events on stderr, OTLP JSON in $${VIGIL_OUTPUT_DIR:-/var/lib/vigil}/{logs,traces}.jsonl"
	$(if $(filter 0,$(shell id -u)),,sudo -E) ./$(BIN)

# Packages run one at a time (-p 1): the Docker tests share one daemon and one
# of them restarts it.
test: setup build ## run every test (CI=true turns missing kernel features or Docker into failures)
	$(GO) vet ./...
	VIGIL_BINARY=$(CURDIR)/$(BIN) $(GO) test -p 1 $(TEST_FLAGS) ./...

# BENCH_FLAGS passes options to the driver, e.g. BENCH_FLAGS="-rounds 7 -skip-gobench".
bench: setup build ## overhead, capacity and memory benchmarks (root, Docker, bpftrace); rewrites the results in BENCHMARKS.md
	@command -v bpftrace >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends bpftrace >/dev/null; }
	$(GO) run ./bench/cmd/vigilbench -rounds 5 -vigil $(BIN) -out BENCHMARKS.md $(BENCH_FLAGS)

fuzz: ## run each decoder fuzzer for a short while
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime 30s ./bpf/
	$(GO) test -run '^$$' -fuzz FuzzIDFromCgroupName -fuzztime 30s ./container/
	for f in $$($(GO) test -list '^Fuzz' ./netparse/ | grep '^Fuzz'); do \
		$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime 15s ./netparse/ || exit 1; done

clean:
	rm -rf _build
