# Parley: `make run` to try it, `make test` to test it. Needs Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails follow the address `make run` serves, unless SITE_URL is set.
SITE_URL := $(or $(SITE_URL),http://$(HOST):$(PORT))

.PHONY: run serve test messages bench loadtest screenshots lint lock upgrade format migrate demo superuser check-threads clean

# Every package comes from uv.lock, exactly the versions (and hashes) CI
# tested; `make upgrade` refreshes the lock. The locking tool, uv, is
# bootstrapped with pip at the version the lock names, and never downloads a
# Python of its own: it uses $(PYTHON).
export UV_PYTHON_DOWNLOADS := never
UV_VERSION := $(shell sed -n '/^name = "uv"$$/{n;s/^version = "\(.*\)"/\1/p;}' uv.lock)
UV := $(BIN)/uv
SYNC := $(UV) sync --locked --python $(BIN)/python --quiet

$(UV):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	touch $@

# Install (again) whenever the lock changes.
$(BIN)/.installed: uv.lock pyproject.toml $(UV)
	$(SYNC) --extra test
	touch $@

run: $(BIN)/.installed  ## Migrate, load the demo and serve on http://127.0.0.1:8000/
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=true $(BIN)/python manage.py load_demo
	DJANGO_DEBUG=true SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

serve: $(UV)  ## Production: collectstatic, migrate, gunicorn on DATABASE_URL
	$(SYNC) --inexact  # what production needs; leaves test tools if present
	$(BIN)/python manage.py collectstatic --no-input
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/gunicorn -c config/gunicorn.conf.py config.wsgi

# axe-core for the accessibility scan (tests/test_browser_a11y.py), again
# whenever package-lock.json changes. Without npm the scan skips, saying why.
node_modules: package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --no-audit --no-fund && touch node_modules; \
	else \
		echo "npm not found: the accessibility scan will be skipped"; \
	fi

test: $(BIN)/.installed node_modules  ## Run the whole suite (PostgreSQL when DATABASE_URL is set)
	DJANGO_SECRET_KEY=test-only-secret SITE_URL=http://testserver $(BIN)/pytest $(PYTEST_ARGS)

# The shipped languages' catalogues (locale/<language>/LC_MESSAGES): every
# marked string of the templates, Python (django) and static/js (djangojs).
# makemessages needs GNU gettext (xgettext); the .mo files are compiled with
# polib and committed, so serving them needs nothing more (README, "Languages").
LANGUAGES := ar de es fr pt_BR uk
MESSAGES_IGNORE := --ignore=.venv --ignore=node_modules --ignore=benchmarks \
  --ignore=tests --ignore=tools --ignore=staticfiles --ignore=docs --ignore=locale

XGETTEXT := $(shell command -v xgettext)

messages: $(BIN)/.installed  ## Update the catalogues in locale/ from the source, and compile them
ifeq ($(XGETTEXT),)
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null \
	  || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; }
endif
	for domain in django djangojs; do \
	  DJANGO_SECRET_KEY=messages SITE_URL=http://127.0.0.1 $(BIN)/python manage.py \
	    makemessages -d $$domain $(addprefix -l ,$(LANGUAGES)) $(MESSAGES_IGNORE) \
	    --no-obsolete --add-location file || exit 1; \
	done
	$(BIN)/python -m tools.catalogues compile

# Benchmarks need PostgreSQL; they make (and drop) their own databases on it.
BENCH_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/postgres)

bench: $(BIN)/.installed  ## Time big threads and replies on PostgreSQL (docs/performance.md)
	DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_SECRET_KEY=bench-only-secret \
	  SITE_URL=http://127.0.0.1 $(BIN)/python -m benchmarks.threads $(BENCH_ARGS)

# wrk, the load generator, comes from Debian (C, event-driven: it leaves the
# cores to the server).
WRK := $(shell command -v wrk)

loadtest: $(BIN)/.installed  ## wrk against gunicorn + PostgreSQL: pages, and reads under replies
ifeq ($(WRK),)
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null \
	  || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
endif
	DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_SECRET_KEY=bench-only-secret \
	  SITE_URL=http://127.0.0.1 $(BIN)/python -m benchmarks.loadtest $(LOADTEST_ARGS)

# Not part of `make test`: pytest collects tests/screenshots.py only when named.
screenshots: $(BIN)/.installed  ## PNGs for docs/screenshots/: home, a thread, the form with errors, the admin
	DJANGO_SECRET_KEY=screenshots-only SITE_URL=http://testserver \
	  $(BIN)/pytest tests/screenshots.py tests/screenshots_admin.py -q

lint: $(BIN)/.installed  ## What CI checks besides the tests
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	DJANGO_SECRET_KEY=lint SITE_URL=http://127.0.0.1 \
	  $(BIN)/python manage.py makemigrations --check --dry-run

lock: $(UV)  ## After editing dependencies in pyproject.toml: resolve uv.lock again
	$(UV) lock --python $(BIN)/python

upgrade: $(UV)  ## Refresh uv.lock to the newest allowed versions, then install them
	$(UV) lock --upgrade --python $(BIN)/python
	$(SYNC) --extra test
	touch $(BIN)/.installed

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

superuser: $(BIN)/.installed  ## Create an admin account (asks for a password)
	DJANGO_DEBUG=true $(BIN)/python manage.py createsuperuser

check-threads: $(BIN)/.installed  ## Verify every comment tree
	DJANGO_DEBUG=true $(BIN)/python manage.py check_threads

clean:
	rm -rf $(VENV) staticfiles node_modules
