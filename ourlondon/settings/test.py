"""Test settings: the environment's settings with safe values forced."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")

from ourlondon.settings import *  # noqa: E402,F403 (test settings extend the base)

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Serve static files from the apps' folders; tests never run collectstatic.
STATIC_ROOT = None  # type: ignore[assignment] # whitenoise skips a None root
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
