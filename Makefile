# The two commands of the quick start: `make up` and `make test` (contract §1).
# Each capability adds its own setup, processes and tests in mk/<name>.mk.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV := $(shell scripts/ensure-uv)
export UV_LINK_MODE ?= copy
# The machine's own trust store (as pip, curl and git use): a ward's network may reach PyPI
# only through a TLS-inspecting proxy whose certificate is installed there, not in uv's.
export UV_SYSTEM_CERTS ?= 1
export HUB_PORT ?= 8000
export RASA_PORT ?= 5005
export ACTIONS_PORT ?= 5055
MANAGE := $(UV) run python manage.py

# Filled in by mk/*.mk (UP_SETUP_TARGETS: what `make up` needs; a part that cannot be set
# up on this machine may say so and let the rest of the hub come up without it)
SETUP_TARGETS := hub-setup
UP_SETUP_TARGETS := hub-setup
TEST_SETUP_TARGETS := browser-setup
COMPONENT_TESTS :=
# Arguments of both whole-suite pytest runs (SQLite, then PostgreSQL + Redis).
PYTEST_ARGS :=
PHASE := scripts/phase

include $(sort $(wildcard mk/*.mk))

.PHONY: help up test setup hub-setup browser-setup migrate content lint pytest

help:
	@echo "make up    - install what is missing and run the whole hub on http://127.0.0.1:$(HUB_PORT)"
	@echo "make test  - install what is missing and run the whole test suite"

hub-setup:
	$(UV) sync --frozen

browser-setup:
	scripts/ensure-apt chromium fonts-noto-cjk

setup: $(SETUP_TARGETS)

migrate: hub-setup
	$(MANAGE) migrate --no-input -v0

# Always: the loader loads what changed in content/, keeps what editors changed in the
# admin (and lists those conflicts), and does nothing when nothing changed.
content: migrate
	$(MANAGE) load_content

# The Procfile runs the venv's binaries, not `uv run`: uv may not be on this PATH.
up: $(UP_SETUP_TARGETS) content
	DJANGO_DEBUG=0 $(MANAGE) collectstatic --no-input -v0
	DJANGO_DEBUG=0 .venv/bin/python scripts/hub.py Procfile

pytest: hub-setup $(TEST_SETUP_TARGETS)
	$(UV) run pytest

# Each phase prints its time; the summary comes last, also when a phase fails.
# The second pytest run is the production stack: tests/support/stack.py starts a private
# PostgreSQL cluster and redis-server for the session (HUB_TEST_STACK=postgres).
test:
	@$(PHASE) --reset
	@trap '$(PHASE) --summary' EXIT; \
	  $(PHASE) setup $(MAKE) --no-print-directory setup $(TEST_SETUP_TARGETS) && \
	  $(PHASE) ruff $(UV) run ruff check . && \
	  $(PHASE) "pytest on SQLite" $(UV) run pytest $(PYTEST_ARGS) && \
	  $(PHASE) "pytest on PostgreSQL + Redis" env HUB_TEST_STACK=postgres $(UV) run pytest $(PYTEST_ARGS) && \
	  for t in $(COMPONENT_TESTS); do $(PHASE) $$t $(MAKE) --no-print-directory $$t || exit 1; done

lint:
	$(UV) run ruff check . && $(UV) run ruff format --check .
