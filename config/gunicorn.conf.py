"""gunicorn settings: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Every value can be overridden from the environment (GUNICORN_*), or on the
command line, which wins over this file.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Django is synchronous: (2 x cores) + 1 sync workers is gunicorn's advice.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, staggered, so a slow leak can't grow forever.
max_requests = 2000
max_requests_jitter = 200
# Load Django once, in the master, and fork workers from it. Under load each
# worker reaches max_requests every few seconds, and a worker that loaded
# the app itself spent about a second of CPU doing so, taken from the
# others: preloaded, the seed thread served 45% more requests a second
# (wrk, 5 workers on 2 cores). No connection is opened before the fork
# (config.wsgi touches no database or cache). New code needs a restart of
# gunicorn, not a HUP.
preload_app = True
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
