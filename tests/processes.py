"""Run Parley in a child process: settings are read from the environment once,
at import, so each environment to test needs a fresh interpreter."""

import json
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# What `check --deploy` accepts: 50+ random characters, not "django-insecure-".
STRONG_SECRET = secrets.token_urlsafe(50)
# Variables Parley reads that the caller's shell (or CI) might have set.
PARLEY_PREFIXES = ("DJANGO_", "DATABASE_", "REDIS_", "GUNICORN_", "SITE_")


def clean_env(**variables: str) -> dict[str, str]:
    """Return os.environ without Parley's own variables, plus what production
    requires (a secret, SITE_URL) and `variables`.

    DJANGO_SECRET_KEY="" unsets the secret, SITE_URL="" the site's address.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(PARLEY_PREFIXES)}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": STRONG_SECRET,
        "SITE_URL": "http://testserver",
        **variables,
    }


def run_python(code: str, **variables: str) -> subprocess.CompletedProcess:
    """Run `code` after django.setup() in a fresh interpreter under `variables`."""
    return subprocess.run(
        [sys.executable, "-c", f"import django\ndjango.setup()\n{code}"],
        cwd=BASE_DIR,
        env=clean_env(**variables),
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_under(*names: str, **variables: str) -> dict:
    """Return the settings `names` as a child process under `variables` sees them."""
    code = (
        "import json\nfrom django.conf import settings\n"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}, "
        "default=str))"
    )
    result = run_python(code, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
