# ironic-go. `make help` lists the targets.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
GO ?= go
export PATH := /usr/local/go/bin:$(PATH)
FUZZTIME ?= 20s
GOLANGCI_VERSION := v2.15.0
GOLANGCI := $(CURDIR)/.bin/golangci-lint
CONF ?= etc/ironic.conf

.PHONY: help build run test unit lint fuzz bench chaos deps

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

build: ## build every package and command
	$(GO) build ./...

deps: ## install (apt) and start RabbitMQ, PostgreSQL and the Python peers
	scripts/deps.sh

run: deps ## run ironic-conductor (etc/ironic.conf: local RabbitMQ, SQLite in ./.state)
	$(GO) build -o .bin/ironic-conductor ./cmd/ironic-conductor && exec .bin/ironic-conductor --config-file $(CONF)

test: deps ## unit + integration tests (real RabbitMQ, PostgreSQL, Python peers), race detector; skips fail
	$(GO) test -race -tags integration -count=1 -timeout 30m -json ./... | $(GO) run ./internal/testreport

unit: ## unit tests only (in-memory transport, no services)
	$(GO) test -race -count=1 ./...

lint: $(GOLANGCI) ## gofmt, go vet, golangci-lint
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) vet -tags integration ./...
	$(GOLANGCI) run ./...

$(GOLANGCI):
	GOBIN=$(CURDIR)/.bin $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)

fuzz: ## run every fuzz target for FUZZTIME each
	@for p in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$p | grep '^Fuzz'); do \
	    echo "== $$p $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$p || exit 1; \
	  done; done

bench: deps ## benchmarks against raw amqp091-go and Python oslo.messaging, with ratios
	$(GO) test -run '^$$' -bench . -benchmem -tags integration -timeout 60m ./...

chaos: deps ## serial tests that restart RabbitMQ (not part of make test)
	$(GO) test -tags 'integration chaos' -run 'Chaos' -count=1 -p 1 -timeout 30m ./...
