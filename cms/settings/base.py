"""Settings shared by every environment.

Every external setting comes from the environment with the defaults of the
contract (../shared/spec/README.md §3), so the hub runs with no secrets at all.
"""

import os
from pathlib import Path

import dj_database_url

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent
VAR_DIR = Path(os.environ.get("HUB_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)
CONTENT_DIR = BASE_DIR / "content"


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """A per-installation key kept in var/, so nobody runs with a key from the repo."""
    if key := os.environ.get("DJANGO_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    # the hub's own apps, one per resident capability
    "cms.core",
    "cms.pages",
    "cms.sitesearch",
    "cms.feedback",
    "cms.assistant",
    "notifier",
    "alerts",
    "opendata",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.search_promotions",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # outermost, so page-cache hits get the CSP and frame headers too (cms/core/security.py)
    "cms.core.security.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

# Templates whose inline <script> blocks the Content-Security-Policy allows by hash.
CSP_INLINE_SCRIPT_TEMPLATES = ["base.html"]
# Editors' e-mail hashes are not sent to gravatar.com (and the CSP would block its images).
WAGTAIL_GRAVATAR_PROVIDER_URL = None

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.core.context_processors.ward",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'hub.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default serves the web server and two workers at once:
    # - WAL: readers never wait for the writer, the writer never waits for readers;
    # - timeout: a writer waits (up to 30 s) for the one before it instead of failing;
    # - IMMEDIATE: a transaction takes the write lock when it begins. A deferred one that
    #   reads first and then writes cannot wait for the lock (SQLite returns "database is
    #   locked" at once, whatever the timeout); that is how Wagtail's reference-index
    #   task used to end FAILED on the first start.
    # Connections persist (CONN_MAX_AGE above) as on PostgreSQL: a new SQLite connection per
    # request re-reads the schema and starts with an empty page cache, which cost a third
    # of a search request on a 20,000-page site. Idle connections hold no read
    # transaction, so they never hold back WAL checkpoints.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# HUB_STATIC_ROOT: the Docker image collects into itself, not into the var/ volume, so
# a new image never serves an old volume's files.
STATIC_ROOT = Path(os.environ.get("HUB_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [PROJECT_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "hub",
    }
}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }

# Background work: django-tasks on the database (the embedded default; many
# `db_worker` processes on PostgreSQL scale it out). Wagtail 8 queues its own
# reference-index updates here too.
TASK_BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {
    "default": {
        "BACKEND": TASK_BACKENDS[os.environ.get("HUB_TASKS_BACKEND", "db")],
        "QUEUES": ["default", "notices", "deliveries"],
    }
}

WAGTAIL_SITE_NAME = "中央区"
# Contract §3: the default origin follows HUB_PORT, so `HUB_PORT=9000 make up` writes links
# to port 9000.
WAGTAILADMIN_BASE_URL = os.environ.get(
    "HUB_BASE_URL", f"http://127.0.0.1:{os.environ.get('HUB_PORT', '8000')}")
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "cms.core.search_backend"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "json", "pdf", "txt", "xlsx", "zip"]
WAGTAILAPI_SEARCH_ENABLED = True
WAGTAILAPI_LIMIT_MAX = 100
WAGTAILAPI_BASE_URL = WAGTAILADMIN_BASE_URL
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "wagtail": {"level": "WARNING"}},
}

# --- The hub's own settings (contract §1 and §3) ---------------------------
HUB_PORT = int(os.environ.get("HUB_PORT", "8000"))
RASA_PORT = int(os.environ.get("RASA_PORT", "5005"))
ACTIONS_PORT = int(os.environ.get("ACTIONS_PORT", "5055"))
HUB_BASE_URL = WAGTAILADMIN_BASE_URL

RASA_URL = os.environ.get("RASA_URL", f"http://127.0.0.1:{RASA_PORT}")

LINE_CHANNEL_SECRET = os.environ.get("LINE_CHANNEL_SECRET", "")
LINE_CHANNEL_ACCESS_TOKEN = os.environ.get("LINE_CHANNEL_ACCESS_TOKEN", "")
LINE_API_BASE = os.environ.get("LINE_API_BASE", "https://api.line.me")

VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")  # empty: generated into var/
VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:info@city.chuo.lg.jp")
WEBPUSH_ALLOW_LOOPBACK = env_flag("WEBPUSH_ALLOW_LOOPBACK")

JMA_FEED_URLS = [
    u.strip()
    for u in os.environ.get(
        "JMA_FEED_URLS",
        "https://www.data.jma.go.jp/developer/xml/feed/extra.xml,"
        "https://www.data.jma.go.jp/developer/xml/feed/eqvol.xml",
    ).split(",")
    if u.strip()
]

CKAN_URL = os.environ.get("CKAN_URL", "")
CKAN_API_KEY = os.environ.get("CKAN_API_KEY", "")

# Shared vocabulary; the originals live in ../shared/spec, copies in content/spec.
TAXONOMY_FILE = CONTENT_DIR / "spec" / "taxonomy.yaml"
FAQ_TOPICS_FILE = CONTENT_DIR / "spec" / "faq-topics.yaml"

# --- Notifier (notifier/): delivery tuning; see README "Notifications" ---------
# A delivery claimed longer than this is taken as lost with its worker and resent.
NOTIFIER_SENDING_LEASE_SECONDS = float(os.environ.get("NOTIFIER_SENDING_LEASE_SECONDS", "300"))
NOTIFIER_RETRY_BASE_SECONDS = float(os.environ.get("NOTIFIER_RETRY_BASE_SECONDS", "30"))
NOTIFIER_PARALLEL_TASKS = int(os.environ.get("NOTIFIER_PARALLEL_TASKS", "4"))
NOTIFIER_WEBPUSH_CHUNK = int(os.environ.get("NOTIFIER_WEBPUSH_CHUNK", "250"))
WEBPUSH_THREADS = int(os.environ.get("WEBPUSH_THREADS", "16"))
# Tries per delivery (sweeper resends included); then failed_permanent with the reason.
NOTIFIER_MAX_ATTEMPTS = int(os.environ.get("NOTIFIER_MAX_ATTEMPTS", "8"))
# The channels residents can subscribe on (notifier/channels/; README "Adding a channel").
NOTIFIER_CHANNELS = [
    "notifier.channels.line.LineChannel",
    "notifier.channels.webpush.WebPushChannel",
]
# --- Disaster alerts (alerts/): contract §3 ----------------------------------------
JMA_POLL_SECONDS = float(os.environ.get("JMA_POLL_SECONDS", "30"))
# A telegram that cannot be read is retried after 10 s, 20 s, 40 s ... (5 tries).
JMA_RETRY_BASE_SECONDS = float(os.environ.get("JMA_RETRY_BASE_SECONDS", "10"))

# --- Website: rendered-page cache shared by all workers (cms.core.page_cache) --------
CACHES["pages"] = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache",
     "LOCATION": os.environ["REDIS_URL"], "KEY_PREFIX": "pages"}
    if os.environ.get("REDIS_URL")
    else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
          "LOCATION": str(VAR_DIR / "page-cache"), "OPTIONS": {"MAX_ENTRIES": 5000}}
)

# --- Assistant (cms.assistant): /api/chat/ -> Rasa ---------------------------
# Rasa answers in ~10-20 ms; a slow answer is worse than the fallback text.
CHAT_RASA_TIMEOUT = float(os.environ.get("CHAT_RASA_TIMEOUT", "5"))
# Per sender (hashed): at most CHAT_RATE_LIMIT messages per CHAT_RATE_WINDOW seconds.
CHAT_RATE_LIMIT = int(os.environ.get("CHAT_RATE_LIMIT", "30"))
CHAT_RATE_WINDOW = int(os.environ.get("CHAT_RATE_WINDOW", "60"))
# Per client address as well, so rotating `sender` does not lift the limit (generous:
# a household or office shares one address).
CHAT_IP_RATE_LIMIT = int(os.environ.get("CHAT_IP_RATE_LIMIT", "120"))
# Reverse proxies whose X-Forwarded-For is believed (comma-separated IPs or networks,
# e.g. the nginx of docker/); empty: the direct peer is the client.
TRUSTED_PROXIES = [p for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]
# The questions the assistant could not answer: one row per distinct question, kept
# UNANSWERED_KEEP_DAYS days and at most UNANSWERED_MAX_ROWS rows.
UNANSWERED_KEEP_DAYS = int(os.environ.get("UNANSWERED_KEEP_DAYS", "90"))
UNANSWERED_MAX_ROWS = int(os.environ.get("UNANSWERED_MAX_ROWS", "5000"))
# Static files come from var/static after collectstatic (`make up`); where they were
# not collected (tests, a fresh clone) whitenoise finds them in the app folders.
WHITENOISE_USE_FINDERS = True
# Cached pages are answered right after static files, before sessions and routing.
MIDDLEWARE.insert(MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
                  "cms.core.page_cache.PageCacheMiddleware")
# Repeated anonymous searches: the kept answer, while nothing it depends on changed.
MIDDLEWARE.insert(MIDDLEWARE.index("cms.core.page_cache.PageCacheMiddleware") + 1,
                  "cms.sitesearch.responses.SearchResponseMiddleware")

# --- Residents' site search (cms.sitesearch): the database's full-text engine (SQLite
# FTS5 or PostgreSQL, from the DB vendor); Elasticsearch/OpenSearch with kuromoji when
# this URL is set (ELASTICSEARCH_URL also moves Wagtail's admin search there).
SITESEARCH_ELASTICSEARCH_URL = os.environ.get(
    "SITESEARCH_ELASTICSEARCH_URL", os.environ.get("ELASTICSEARCH_URL", ""))
SITESEARCH_ELASTICSEARCH_PREFIX = os.environ.get("SITESEARCH_ELASTICSEARCH_PREFIX", "chuo_hub_")
