"""Production: PostgreSQL (DATABASE_URL), Redis cache, behind nginx over HTTPS."""

import os

from .base import *  # noqa: F403

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SECURE_CONTENT_TYPE_NOSNIFF = True
if os.environ.get("ELASTICSEARCH_URL"):
    from cms.settings.search_elasticsearch import elasticsearch_backend

    WAGTAILSEARCH_BACKENDS = {"default": elasticsearch_backend(os.environ["ELASTICSEARCH_URL"])}
