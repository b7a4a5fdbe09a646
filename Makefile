# ChatCluster — `make help` lists every target.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
HACK := ./hack

# Versions live in hack/versions.env (one place); ports in hack/lib/ports.env.
# Overridable: CC_SHARDS (active MariaDB shards, default 2), CC_SPARE_SHARDS (default 1).

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Main

.PHONY: up
up: ## Set up (cached) and run it for real: kind cluster, operator (Helm), Prometheus, the sample ChatCluster; platform on :18080.
	@$(HACK)/up.sh

.PHONY: down
down: ## Remove the kind cluster, stop the engine and the dev stack; leaves no process and no bound port.
	@$(HACK)/down.sh $(if $(PURGE),--purge,)

.PHONY: dev-up
dev-up: ## Fast inner loop on processes: data plane, kwok control plane, operator and platform beside it.
	@$(HACK)/dev-up.sh

.PHONY: dev-down
dev-down: ## Stop everything `make dev-up` started.
	@$(HACK)/dev-down.sh $(if $(PURGE),--purge,)

.PHONY: status
status: ## Show what runs, where, and its resident memory.
	@$(HACK)/infra-status.sh || true; $(HACK)/cluster-status.sh || true; $(HACK)/app-status.sh

.PHONY: test
test: ## Set up (cached), start the servers the suites need, run every suite, tear down.
	@$(HACK)/test.sh

##@ Setup

.PHONY: setup
setup: deps ## Install every component (cached under ~/.cache/chatcluster).
	@$(HACK)/install-dataplane.sh
	@$(HACK)/install-controlplane.sh

.PHONY: deps
deps: ## Install npm dependencies from the lockfile (skipped when the lockfile is unchanged).
	@$(HACK)/install-npm.sh

##@ Local data plane (MariaDB catalog + shards, Redis, Kafka KRaft, Prometheus)

.PHONY: infra-up
infra-up: ## Start the data plane on 127.0.0.1; writes .run/infra.env.
	@$(HACK)/infra-up.sh

.PHONY: infra-down
infra-down: ## Stop the data plane (data dirs kept; PURGE=1 removes them).
	@$(HACK)/infra-down.sh $(if $(PURGE),--purge,)

.PHONY: infra-status
infra-status: ## Show the data plane's components, ports and memory.
	@$(HACK)/infra-status.sh

##@ Local control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok)

.PHONY: cluster-up
cluster-up: ## Start the control plane; admin kubeconfig at .run/kubeconfig.
	@$(HACK)/cluster-up.sh

.PHONY: cluster-down
cluster-down: ## Stop the control plane (PURGE=1 removes etcd data).
	@$(HACK)/cluster-down.sh $(if $(PURGE),--purge,)

##@ Development

.PHONY: lint
lint: ## Lint and check formatting (biome) and type-check (tsc).
	npm run --silent lint
	npm run --silent typecheck

.PHONY: fmt
fmt: ## Format and apply safe lint fixes.
	npm run --silent format

.PHONY: build
build: ## Compile every workspace to dist/.
	npx tsc -b

.PHONY: test-unit
test-unit: ## Unit tests only (no servers needed).
	npx vitest run --project unit

.PHONY: test-int
test-int: ## Integration tests against an already running `make up` stack.
	npx vitest run --project integration

.PHONY: check-clean
check-clean: ## Fail if any process or bound port of the local stack is left.
	@$(HACK)/check-clean.sh

##@ Chat platform

.PHONY: platform-up
platform-up: ## Start the chat platform (monolith mode) against the local data plane.
	@services/scripts/platform-up.sh

.PHONY: platform-down
platform-down: ## Stop the chat platform.
	@services/scripts/platform-down.sh

##@ Containers and kind (the project's own engine; every image built here, offline)

.PHONY: engine-up
engine-up: ## Start the project's Docker engine (Debian docker.io, own data root and socket).
	@$(HACK)/engine-up.sh

.PHONY: engine-down
engine-down: ## Stop the project's Docker engine (images stay cached).
	@$(HACK)/engine-down.sh

.PHONY: images
images: ## Build every image: base, Node, MariaDB, Kafka, Redis, Prometheus, nginx, operator, platform.
	@$(HACK)/build-base-images.sh && $(HACK)/build-images.sh

.PHONY: kind-up
kind-up: ## Create the kind cluster from the node image built here (kubeconfig: .run/kind-kubeconfig).
	@$(HACK)/kind-up.sh

.PHONY: kind-down
kind-down: ## Delete the kind cluster.
	@$(HACK)/kind-down.sh

.PHONY: deploy
deploy: ## Load the images, install the operator chart and Prometheus, apply the sample, wait until Ready.
	@$(HACK)/kind-deploy.sh

.PHONY: test-kind
test-kind: ## The kind suite against a running `make up` (real pods: chat, faults, security, upgrade).
	npx vitest run --project kind

##@ Benchmarks (print figures; run on a quiet machine, compare ratios within one run)

.PHONY: bench
bench: ## Platform core: durable msgs/s (1 vs 2 shards), send→deliver p50/p99, deliveries vs bare socket.io.
	npm run bench -w load-test

.PHONY: bench-pipeline
bench-pipeline: ## Event pipeline: outbox→Kafka events/s (kafkajs vs @platformatic/kafka), send→searchable/notified p50/p99.
	npm run bench:pipeline -w load-test

.PHONY: bench-move
bench-move: ## Room moves: copy rate (messages/s, rows/s), write pause p50/p99 under load, send throughput during a move vs before.
	npm run bench:move -w load-test

.PHONY: bench-operator
bench-operator: ## Operator: apply→Ready for 16 shards, reconciles/s and writes for many ChatClusters.
	BENCH_CLUSTERS=100 npm run bench -w operator
