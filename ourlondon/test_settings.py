"""Test settings: the environment's settings with safe values forced.

Outside the `ourlondon.settings` package on purpose: importing a module inside
it would run the package's `__init__` (the real settings, which require a
SECRET_KEY) before this file could provide a throwaway one.
"""

import os
import tempfile
from pathlib import Path

if not os.environ.get("SECRET_KEY"):
    os.environ["SECRET_KEY"] = "test-only-not-secret"

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

# Jobs run at once, in the test's own process and transaction.
HUEY = {"huey_class": "huey.MemoryHuey", "name": "ourlondon-tests", "immediate": True}
