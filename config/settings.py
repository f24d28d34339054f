"""Parley's settings: one module, with the environment deciding what differs.

Every variable read here is listed, with its default, in README.md and
.env.example.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """Return the environment variable `name`, stripped, or `default`."""
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    """Return True when the variable reads true/1/yes/on (case-insensitive)."""
    value = env_str(name)
    if not value:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    """Return the variable as a non-negative integer, failing loudly otherwise."""
    value = env_str(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ImproperlyConfigured(
            f"{name} must be a whole number >= 0, not {value!r}."
        )
    return number


def env_signed_int(name: str, default: int) -> int:
    """Return the variable as an integer that may be negative, failing loudly."""
    value = env_str(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a whole number, not {value!r}."
        ) from None


def env_list(name: str, default: str = "") -> list[str]:
    """Return the comma-separated variable as a list without empty items."""
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


# --- Core -------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DJANGO_DEBUG unset or false) "
            "needs a long random secret, e.g. the output of: python -c "
            "'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "mptt",
    "forum",
]

MIDDLEWARE = [
    # First: load balancers probe /healthz by IP over plain HTTP.
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that reads the database: picks the replica or primary.
    "config.routers.ReadReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before common: the reader's language (forum.languages).
    "forum.languages.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "forum.context_processors.site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

_CONN_MAX_AGE = env_int("DATABASE_CONN_MAX_AGE", 600)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=_CONN_MAX_AGE,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite ignores select_for_update(): IMMEDIATE makes every write
    # transaction take the write lock up front, so concurrent writers queue
    # (for up to `timeout` seconds) instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# Read replicas: replica_0, replica_1... Anonymous page reads go to one of
# them, everything else to "default" (config.routers, docs/deployment.md).
# In tests each mirrors the test database instead of being created.
for _index, _url in enumerate(env_list("DATABASE_REPLICA_URLS")):
    DATABASES[f"replica_{_index}"] = {
        **dj_database_url.parse(
            _url, conn_max_age=_CONN_MAX_AGE, conn_health_checks=True
        ),
        "TEST": {"MIRROR": "default"},
    }
READ_REPLICAS = [alias for alias in DATABASES if alias != "default"]
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL's JIT compiles the thread query (its EXISTS for
        # placeholders looks expensive to the planner) and spends ~10 ms doing
        # so on a 15 ms query: web pages never gain from it. The thread query
        # reads timestamps as text (forum.models.thread_rows): ISO, always.
        _database.setdefault("OPTIONS", {})["options"] = "-c jit=off -c datestyle=ISO"
DATABASE_ROUTERS = ["config.routers.PrimaryReplicaRouter"]
# After a write, that browser reads from the primary for this long (a cookie):
# keep it above the replicas' worst replication lag.
DATABASE_REPLICA_LAG_SECONDS = env_int("DATABASE_REPLICA_LAG_SECONDS", 10)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
# A Redis that accepts connections but never answers must cost a page a
# fraction of a second, not redis-py's default 5 s per call: pages then
# render without the cache and /healthz says the cache is degraded.
REDIS_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "parley",
            "OPTIONS": REDIS_OPTIONS,
        }
    }
else:  # one cache per process: fine for one gunicorn host, not for several
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Whole pages for anonymous readers (forum.page_cache), kept this many
# seconds at most; 0 turns the page cache off. Off by default without Redis:
# a write in one worker bumps versions in that worker's memory only, and the
# other workers would serve the old page until it expired.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600 if REDIS_URL else 0)

# --- Auth, sessions ---------------------------------------------------------

_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

_SESSION_ENGINES = {
    "db": "django.contrib.sessions.backends.db",
    "cache": "django.contrib.sessions.backends.cache",
    "cached_db": "django.contrib.sessions.backends.cached_db",
}
_session_engine = env_str("DJANGO_SESSION_ENGINE", "db")
if _session_engine not in _SESSION_ENGINES:
    raise ImproperlyConfigured(
        f"DJANGO_SESSION_ENGINE must be one of {', '.join(_SESSION_ENGINES)}, "
        f"not {_session_engine!r}."
    )
if _session_engine == "cache" and not REDIS_URL:
    raise ImproperlyConfigured(
        "DJANGO_SESSION_ENGINE=cache needs REDIS_URL: without it the cache is "
        "each process's own memory, and sessions would vanish between workers."
    )
SESSION_ENGINE = _SESSION_ENGINES[_session_engine]

# --- Internationalisation ---------------------------------------------------

# The shipped languages; each has a catalogue in locale/ (README, "Languages").
LANGUAGES = [
    ("en", "English"),
    ("ar", "العربية"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("fr", "Français"),
    ("pt-br", "Português (Brasil)"),
    ("uk", "Українська"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The site's language: readers get it unless their browser asks for another
# shipped one (LANGUAGES_FROM_BROWSER) or they chose one in the footer.
LANGUAGE_CODE = env_str("DJANGO_LANGUAGE_CODE", "en").lower().replace("_", "-")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"DJANGO_LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}, "
        f"not {LANGUAGE_CODE!r}."
    )
# Off: the browser's Accept-Language is ignored (the footer's choice stays).
LANGUAGES_FROM_BROWSER = env_bool("LANGUAGES_FROM_BROWSER", True)
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------

# A CDN in front of WhiteNoise: https://cdn.example.com pulls /static/ from us.
STATIC_HOST = env_str("DJANGO_STATIC_HOST").rstrip("/")
if STATIC_HOST and not STATIC_HOST.startswith(("https://", "http://")):
    raise ImproperlyConfigured(
        f"DJANGO_STATIC_HOST must be an origin such as https://cdn.example.com, "
        f"not {STATIC_HOST!r}."
    )
STATIC_URL = f"{STATIC_HOST}/static/" if STATIC_HOST else "static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security ---------------------------------------------------------------

X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Behind a load balancer that terminates TLS and sets X-Forwarded-Proto
# (overwriting any the client sent). Off by default so plain HTTP works
# for `make run`, the tests, and a first look at `make serve`.
HTTPS = env_bool("DJANGO_HTTPS")
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)

# No inline script anywhere (the admin's too: Django 5.2's has none); styles
# and scripts from our origin or the CDN. config.csp lets the admin's inline
# style attributes through (django-mptt indents the comment tree with them).
_STATIC_ORIGINS = [STATIC_HOST] if STATIC_HOST else []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, *_STATIC_ORIGINS],
        "style-src": [SELF, *_STATIC_ORIGINS],
        "font-src": [SELF, *_STATIC_ORIGINS],
        # Staff may put images from other sites in posts.
        "img-src": [SELF, *_STATIC_ORIGINS, "https:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "upgrade-insecure-requests": HTTPS,
    }
}

# --- Logging: everything to stdout, for gunicorn and containers -------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["stdout"], "level": env_str("LOG_LEVEL", "INFO")},
    # Django's own "django" logger prints to the console under DEBUG and also
    # passes each record up to the root: every line came out twice under
    # `make run`. Without handlers of its own it prints once, through root
    # (its other handler, mail_admins, had no ADMINS to write to). Its
    # children follow it (dictConfig resets them), runserver's request lines
    # (django.server) too: one format for every line.
    "loggers": {
        "django": {"handlers": []},
        "django.server": {"handlers": [], "propagate": True},
    },
}

# --- Parley -----------------------------------------------------------------

SITE_NAME = env_str("SITE_NAME", "Parley")
# Empty: "Threaded discussions" in the reader's language (forum.context_processors).
SITE_TAGLINE = env_str("SITE_TAGLINE")
POSTS_PER_PAGE = env_int("POSTS_PER_PAGE", 10)
# Close comments on posts published more than N days ago (0 = never).
COMMENTS_CLOSE_AFTER_DAYS = env_int("COMMENTS_CLOSE_AFTER_DAYS", 0)
# Deepest stored level (0 = top level). A reply to a comment at the deepest
# level becomes its sibling: it bounds indentation, update cost and rebuilds.
COMMENT_MAX_DEPTH = env_int("COMMENT_MAX_DEPTH", 31)
if COMMENT_MAX_DEPTH < 1:
    raise ImproperlyConfigured("COMMENT_MAX_DEPTH must be 1 or more (1: no nesting).")
# Top-level comments per page of a thread (0 = the whole thread on one page),
# and which come first: "oldest" or "newest".
COMMENTS_PER_PAGE = env_int("COMMENTS_PER_PAGE", 50)
COMMENTS_ORDER = env_str("COMMENTS_ORDER", "oldest")
# How often an open thread page asks whether the thread changed (forum.live);
# 0 turns live updates off.
LIVE_POLL_SECONDS = env_int("LIVE_POLL_SECONDS", 15)
if COMMENTS_ORDER not in {"oldest", "newest"}:
    raise ImproperlyConfigured('COMMENTS_ORDER must be "oldest" or "newest".')
# Levels shown on one page; deeper replies continue on the subthread's own page
# ("Continue this thread"). 0 shows every level.
COMMENT_DISPLAY_DEPTH = env_int("COMMENT_DISPLAY_DEPTH", 8)
if COMMENT_DISPLAY_DEPTH == 1:
    raise ImproperlyConfigured(
        "COMMENT_DISPLAY_DEPTH must be 0 (no limit) or 2 or more."
    )

# Votes on comments (forum.services.votes): "off", "users" (signed-in readers)
# or "everyone" (guests too: one vote per comment per browser, through a
# signed cookie, and at most VOTES_GUEST_DAILY_PER_IP guest votes per IP a day).
VOTES = env_str("VOTES", "users")
if VOTES not in {"off", "users", "everyone"}:
    raise ImproperlyConfigured('VOTES must be "off", "users" or "everyone".')
# Down-votes; false leaves likes only.
VOTES_DOWN = env_bool("VOTES_DOWN", True)
# Votes one reader may cast (or change) per minute, counted across workers.
VOTES_PER_MINUTE = env_int("VOTES_PER_MINUTE", 60)
VOTES_GUEST_DAILY_PER_IP = env_int("VOTES_GUEST_DAILY_PER_IP", 500)
# How stale shown scores and vote-based orders may be: a thread's cached HTML
# is kept this long under votes (docs/decisions/0022). At least 1.
VOTES_REFRESH_SECONDS = max(1, env_int("VOTES_REFRESH_SECONDS", 10))
# The order a reader sees until they choose one, unless the post suggests
# one: best, top, new, old (the thread as it was written) or controversial.
COMMENT_ORDER = env_str("COMMENT_ORDER", "old")
if COMMENT_ORDER not in {"best", "top", "new", "old", "controversial"}:
    raise ImproperlyConfigured(
        "COMMENT_ORDER must be best, top, new, old or controversial."
    )
# Comments scoring this or lower start folded (open with one click).
COMMENT_COLLAPSE_SCORE = env_signed_int("COMMENT_COLLAPSE_SCORE", -5)

# Comment rules (WordPress's defaults). Each is an environment variable too.
COMMENT_MAX_LENGTH = env_int("COMMENT_MAX_LENGTH", 10000)
COMMENT_REQUIRE_NAME_EMAIL = env_bool("COMMENT_REQUIRE_NAME_EMAIL", True)
COMMENT_FLOOD_SECONDS = env_int("COMMENT_FLOOD_SECONDS", 15)
COMMENT_MIN_FILL_SECONDS = env_int("COMMENT_MIN_FILL_SECONDS", 3)
COMMENT_HOLD_FIRST = env_bool("COMMENT_HOLD_FIRST", True)
# Every new comment (but staff's) waits for a moderator, on every post.
COMMENT_HOLD_ALL = env_bool("COMMENT_HOLD_ALL", False)
COMMENT_MAX_LINKS = env_int("COMMENT_MAX_LINKS", 2)
# Distinct readers' reports that hold an approved comment for moderation (0 = never).
COMMENT_REPORTS_TO_HOLD = env_int("COMMENT_REPORTS_TO_HOLD", 3)
# Retention (manage.py purge_comments): spam and removed comments are deleted
# after SPAM_RETENTION_DAYS; IP addresses and user agents cleared after
# IP_RETENTION_DAYS (0 = keep for ever).
SPAM_RETENTION_DAYS = env_int("SPAM_RETENTION_DAYS", 30)
IP_RETENTION_DAYS = env_int("IP_RETENTION_DAYS", 90)
# Proxies (IPs or CIDR ranges) whose X-Forwarded-For is believed.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or range."
        ) from None

# Avatars beside commenters' names: "initials" (drawn here, no request) or
# "gravatar" (readers' browsers fetch pictures from gravatar.com, by a hash of
# each commenter's address; initials show where there is none).
AVATARS = env_str("AVATARS", "initials")
if AVATARS not in {"initials", "gravatar"}:
    raise ImproperlyConfigured('AVATARS must be "initials" or "gravatar".')

# --- Feeds, sitemap, search, WordPress import (forum.feeds, forum.sitemaps) --

# The sitemap app ships the sitemap.xml template; it needs no settings of its
# own (without django.contrib.sites, the request's host names the site).
INSTALLED_APPS += ["django.contrib.sitemaps"]


# --- Accounts, email, notifications -----------------------------------------

# Absolute links in emails (confirmations, notifications, unsubscribing,
# privacy). Required in production, like the secret key: a wrong default
# would mail links to nowhere. `make run` sets it to the address it serves.
SITE_URL = env_str("SITE_URL").rstrip("/")
if not SITE_URL:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SITE_URL is not set. Production (DJANGO_DEBUG unset or false) needs "
            "the site's public address for the links in emails, e.g. "
            "SITE_URL=https://blog.example.com"
        )
    SITE_URL = "http://127.0.0.1:8000"  # runserver's own default address
if not SITE_URL.startswith(("https://", "http://")) or len(SITE_URL) > 200:
    raise ImproperlyConfigured(
        f"SITE_URL must be an http(s) address of at most 200 characters, such as "
        f"https://blog.example.com, not {SITE_URL!r}."
    )
# Mail goes to the console (the server's output) unless an SMTP host is set.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
else:  # Django's console backend, with subjects and text readable
    EMAIL_BACKEND = "config.console_email.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Parley <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# When notification emails go out: "background" (a thread, after the comment
# is saved), "inline" (in the request, after commit) or "off" (only
# `manage.py send_notifications`, e.g. from cron). Failures are retried there.
NOTIFICATIONS_SEND = env_str("NOTIFICATIONS_SEND", "background")
if NOTIFICATIONS_SEND not in {"background", "inline", "off"}:
    raise ImproperlyConfigured("NOTIFICATIONS_SEND must be background, inline or off.")
# Minutes during which authors may edit or delete their own comment.
COMMENT_EDIT_MINUTES = env_int("COMMENT_EDIT_MINUTES", 10)
# WordPress's "Users must be registered and logged in to comment".
COMMENT_REQUIRE_LOGIN = env_bool("COMMENT_REQUIRE_LOGIN", False)
