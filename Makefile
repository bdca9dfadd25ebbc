# ClientSynq developer commands. `make run` and `make test` are the two a new user needs;
# both install whatever is missing first (virtualenv, packages, Kafka, FerretDB).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export PYTHONPATH := $(CURDIR)/deploy/local
PACKAGES := libs/common $(patsubst %/pyproject.toml,%,$(wildcard tools/*/pyproject.toml services/*/pyproject.toml))
STAMP := $(VENV)/.installed

.PHONY: setup run test lint fmt infra-up infra-down infra-status bench e2e demo dev-env clean help deploy-check

help:
	@echo "make run    - start Kafka, FerretDB, the QBO sandbox and every service"
	@echo "make test   - run every test on real infrastructure"
	@echo "make demo   - (with make run running) sign up and connect the sandbox's demo company"
	@echo "other: setup lint fmt infra-up infra-down infra-status bench e2e deploy-check dev-env clean"

setup: $(STAMP)
	@$(PY) -m localinfra install
	@$(PY) services/portal-svc/tests/browser/browser_tools.py

$(STAMP): requirements-dev.txt $(addsuffix /pyproject.toml,$(PACKAGES))
	@echo "[setup] virtualenv and packages ($(words $(PACKAGES)) editable packages)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	@$(PY) -m pip install --quiet --progress-bar off -r requirements-dev.txt \
		$(foreach p,$(PACKAGES),-e $(p)$(if $(filter tools/qbo-sandbox,$(p)),[test])) \
		> $(VENV)/pip.log 2>&1 || { cat $(VENV)/pip.log; exit 1; }
	@touch $(STAMP)
	@echo "[setup] packages installed"

run: setup
	@$(PY) deploy/local/run_all.py

test: setup
	@$(PY) -m pytest

e2e: setup
	@CLIENTSYNQ_E2E_DRILLS=1 $(PY) -m pytest tests/e2e

# The offline deployment validation alone (images, compose, Kubernetes, monitoring).
deploy-check: setup
	@$(PY) -m pytest tests/deploy -q -m 'not integration'

MYPY_PACKAGES := clientsynq.common clientsynq.auth clientsynq.sync clientsynq.webhooks \
	clientsynq.portal qbo_sandbox mail_sink

lint: setup
	@$(PY) -m ruff check .
	@$(PY) -m mypy $(addprefix -p ,$(MYPY_PACKAGES))

fmt: setup
	@$(PY) -m ruff check --fix .

infra-up: setup
	@$(PY) -m localinfra up
	@$(PY) -m clientsynq.common.kafka.bootstrap

infra-down:
	@test -x $(PY) && $(PY) -m localinfra down || true

infra-status:
	@$(PY) -m localinfra status

demo:
	@$(PY) deploy/local/demo.py

dev-env:
	@$(PYTHON) deploy/local/devenv.py

bench: setup
	@$(PY) bench/run_all.py

clean: infra-down
	rm -rf $(VENV) .local .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
