"""Developer tooling, not part of the installed product: benchmarks and a load test.

    python -m benchmarks.threads [--sizes 1000 10000] [--runs 7]   (make bench)
    python -m benchmarks.loadtest [--seconds 60] [--clients 16]    (make loadtest)

Importing the package sets Django up (config.settings unless
DJANGO_SETTINGS_MODULE says otherwise), so each module can use the ORM as a
management command would. Each run makes and drops its own database.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
