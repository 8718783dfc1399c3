"""Settings for the test suite: the real settings, with a throwaway var/ and immediate tasks."""

import os
import tempfile

os.environ.setdefault("GIGUNION_VAR_DIR", tempfile.mkdtemp(prefix="gigunion-test-var-"))

from gigunion.settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Hashing cost is not under test; MD5 keeps a suite of logins fast.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (whitenoise warns when it is missing)
