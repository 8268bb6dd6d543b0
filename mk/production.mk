# The production path (issue 13): the whole suite also runs on PostgreSQL + Redis (the
# Makefile's `test`), and nginx with TLS in front of gunicorn and cms.settings.production,
# configured and started by the files docker/ ships (docker/nginx.conf.template,
# docker/hub-entry), is smoke-tested as a phase of its own on PostgreSQL + Redis.
PRODUCTION_SMOKE := tests/site/test_production_stack.py

TEST_SETUP_TARGETS += production-setup
COMPONENT_TESTS += production-smoke
# The smoke test is its own phase, not part of the two whole-suite runs.
PYTEST_ARGS += --ignore=$(PRODUCTION_SMOKE)

.PHONY: production-setup production-smoke pytest-postgres

production-setup:
	scripts/ensure-apt postgresql redis-server nginx

production-smoke: hub-setup production-setup
	HUB_TEST_STACK=postgres $(UV) run pytest -q $(PRODUCTION_SMOKE)

# The whole suite (or PYTEST="tests/x") on PostgreSQL + Redis, as the second run of `make test`.
pytest-postgres: hub-setup $(TEST_SETUP_TARGETS)
	HUB_TEST_STACK=postgres $(UV) run pytest $(PYTEST)
