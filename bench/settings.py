"""Settings of the benchmarks: the real settings, plus what only the baselines need.

django-import-export (the library a Django team would reach for to import a roster) and a tiny app
holding the plain model it imports into. Nothing here reaches the product's settings.
"""

from gigunion.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "import_export", "bench.baseline"]  # noqa: F405

# Text messages (the demo's welcome messages) go to a file in the throwaway var/, not into the figures' output.
SMS_BACKEND = "file"
