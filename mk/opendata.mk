# Open data (issue 6): the CKAN 2.12 the integration tests publish to, in its own venv.
# CKAN is a test-only dependency: production publishes to the ward's own CKAN (see README).
CKAN_VERSION := 2.12.0
CKAN_VENV := var/ckan-venv
CKAN_STAMP := $(CKAN_VENV)/.installed-$(CKAN_VERSION)

TEST_SETUP_TARGETS += opendata-ckan-setup

.PHONY: opendata-ckan-setup

opendata-ckan-setup: $(CKAN_STAMP)

# postgresql: the tests run a private cluster (initdb into a temp dir) for CKAN.
# libpq-dev/gcc: only needed if a psycopg2 wheel is not available for this Python.
$(CKAN_STAMP):
	scripts/ensure-apt postgresql
	$(UV) venv --quiet --allow-existing --python /usr/bin/python3.11 $(CKAN_VENV)
	$(UV) pip install --quiet --python $(CKAN_VENV)/bin/python "ckan[requirements]==$(CKAN_VERSION)"
	touch $@
