"""Test settings: the environment's settings with safe values forced."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")

from ourlondon.settings import *  # noqa: E402,F403 (test settings extend the base)

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Serve static files from the apps' folders; collectstatic (bootstrap) writes to
# a throwaway folder.
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="ourlondon-static-"))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
