"""Production: PostgreSQL (DATABASE_URL), Redis cache, behind nginx over HTTPS.

The environment is documented in docker/env.example and docker/compose.yaml;
tests/foundation/test_production_settings.py runs `check --deploy` with it, and
tests/site/test_production_stack.py serves these settings through nginx.
"""

import os

from cms.core.security import require_strong_secret_key

from .base import *  # noqa: F403
from .base import SECRET_KEY, env_flag

DEBUG = False
require_strong_secret_key(SECRET_KEY)

# nginx terminates TLS and says so in X-Forwarded-Proto; it also redirects http itself,
# Django does too for anything that reaches it over plain http (except the health check
# that the container runtime makes on the private port).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_flag("HUB_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("HUB_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("HUB_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading binds the ward's whole domain into browsers: the ward's decision, not ours.
SECURE_HSTS_PRELOAD = env_flag("HUB_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# No script reads the CSRF cookie: forms carry the token, the subscribe page reads it
# from its form.
CSRF_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SECURE_CONTENT_TYPE_NOSNIFF = True
if os.environ.get("ELASTICSEARCH_URL"):
    from cms.settings.search_elasticsearch import elasticsearch_backend

    WAGTAILSEARCH_BACKENDS = {"default": elasticsearch_backend(os.environ["ELASTICSEARCH_URL"])}
