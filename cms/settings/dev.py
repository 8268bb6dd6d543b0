from .base import *  # noqa: F403
from .base import env_flag

DEBUG = env_flag("DJANGO_DEBUG", True)
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
