"""Test settings: the real stack, but hermetic (no internet, fast hashing)."""

import os

from .base import *  # noqa: F403
from .base import TASK_BACKENDS, VAR_DIR

DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"
# Tests never reach the internet: external services point at 127.0.0.1 unless a
# test starts its own protocol-faithful server and overrides these.
RASA_URL = os.environ.get("RASA_URL", "http://127.0.0.1:9")
JMA_FEED_URLS: list[str] = []

# Wagtail 8 queues search-index and reference-index updates as tasks: run them at
# once in tests unless a test process asks for the real queue (HUB_TASKS_BACKEND=db).
TASKS = {
    "default": {
        "BACKEND": TASK_BACKENDS[os.environ.get("HUB_TASKS_BACKEND", "immediate")],
        "QUEUES": ["default", "notices", "deliveries"],
    }
}

# The hub's clock (cms.core.clock) in tests: a test that depends on the time of day sets
# this (or the environment variable, for a hub it starts in a subprocess).
HUB_CLOCK_OFFSET_SECONDS = float(os.environ.get("HUB_CLOCK_OFFSET_SECONDS", "0"))

# The PostgreSQL run (tests/support/stack.py): clone the test database from a template
# the session migrated once, instead of migrating again.
if os.environ.get("HUB_TEST_DB_TEMPLATE") and DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"TEMPLATE": os.environ["HUB_TEST_DB_TEMPLATE"]}  # noqa: F405
