# Everyday commands for jingge. `make` alone lists them.

GO       ?= go
FUZZTIME ?= 10s
# Extra arguments for `make run`, e.g. make run ARGS='-addr :9090'
ARGS     ?=

.DEFAULT_GOAL := help
.PHONY: help run test crash test-ha test-restore bench build generate fmt vet lint fuzz

help: ## list the targets
	@echo "usage: make TARGET"
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: ## serve the embedded demo data on localhost:8080
	$(GO) run ./cmd/jingge serve $(ARGS)

test: ## go vet + staticcheck + Go tests + web tests, on a throwaway PostGIS (what CI runs)
	bash scripts/test.sh

crash: ## kill -9 under write load, PostGIS and the data directory: acknowledged == stored (CI runs it)
	bash scripts/reliability/kill9.sh
	bash scripts/reliability/kill9-datadir.sh

test-ha: ## failover under load on a three-node Patroni cluster: acknowledged == stored (CI runs it)
	bash scripts/ha/failover.sh

test-restore: ## the restore drill: base backup + WAL archive recovered to a time T, jingge on it, compared (CI runs it)
	bash scripts/ha/restore-drill.sh

bench: ## run every benchmark
	$(GO) test -run '^$$' -bench . -benchmem ./...

build: ## build bin/jingge
	$(GO) build -o bin/jingge ./cmd/jingge

generate: ## rebuild the bundled demo dataset from its reference data
	$(GO) run ./cmd/jingge demo generate

fmt: ## gofmt every Go package
	$(GO) fmt ./...

vet: ## go vet every package
	$(GO) vet ./...

lint: ## go vet, staticcheck and the cyclomatic-25 check (the versions make test pins)
	$(GO) vet ./...
	bash scripts/staticcheck.sh
	bash scripts/gocyclo.sh

fuzz: ## run every Fuzz target for FUZZTIME (default 10s) each
	@found=0; failed=""; \
	for f in $$(grep -rlE --include='*_test.go' --exclude-dir=node_modules --exclude-dir=.git \
			'^func Fuzz[A-Za-z0-9_]*\(' . | sort); do \
		dir=$$(dirname "$$f"); \
		for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*\*testing\.F).*/\1/p' "$$f"); do \
			found=$$((found + 1)); \
			echo "==> $$dir $$name ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) "$$dir" || failed="$$failed $$dir:$$name"; \
		done; \
	done; \
	echo "fuzz: $$found target(s) run"; \
	if [ -n "$$failed" ]; then echo "fuzz: FAILED:$$failed"; exit 1; fi
