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
up: ## Set up (cached) and start everything locally: data plane, control plane; prints what runs where.
	@$(HACK)/up.sh

.PHONY: down
down: ## Stop everything `make up` started; leaves no process and no bound port.
	@$(HACK)/down.sh $(if $(PURGE),--purge,)

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

##@ Deploy to kind (for users with Docker; not runnable on the development machine)

IMG_TAG ?= 0.1.0
OPERATOR_IMG ?= ghcr.io/chatcluster/operator:$(IMG_TAG)
PLATFORM_IMG ?= ghcr.io/chatcluster/platform:$(IMG_TAG)
CC_BIN := $(HOME)/.cache/chatcluster/bin

.PHONY: kind-up
kind-up: ## Create a kind cluster (charts/kind-config.yaml) named chatcluster.
	@source hack/versions.env && test -x $(CC_BIN)/kind || GOBIN=$(CC_BIN) go install sigs.k8s.io/kind@$$KIND_VERSION
	$(CC_BIN)/kind create cluster --name chatcluster --config charts/kind-config.yaml

.PHONY: images
images: ## Build the operator and platform images (docker).
	docker build -f operator/Dockerfile -t $(OPERATOR_IMG) .
	docker build -f services/Dockerfile -t $(PLATFORM_IMG) .

.PHONY: deploy
deploy: images ## Load the images into kind, install the operator chart, apply the sample.
	$(CC_BIN)/kind load docker-image $(OPERATOR_IMG) $(PLATFORM_IMG) --name chatcluster
	$(CC_BIN)/helm upgrade --install chatcluster-operator charts/chatcluster-operator -n chatcluster-system --create-namespace
	kubectl apply -f samples/chatcluster.yaml
	kubectl wait --for=condition=Ready --timeout=600s chatcluster/chat
	kubectl get chatclusters

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
