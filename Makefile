# Parley: `make run` to try it, `make test` to test it. Needs Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test bench loadtest screenshots lint format migrate demo superuser check-threads clean

# Install (again) whenever pyproject.toml changes.
$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

run: $(BIN)/.installed  ## Migrate, load the demo and serve on http://127.0.0.1:8000/
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=true $(BIN)/python manage.py load_demo
	DJANGO_DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

serve: $(BIN)/.installed  ## Production: collectstatic, migrate, gunicorn on DATABASE_URL
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
	DJANGO_SECRET_KEY=test-only-secret $(BIN)/pytest $(PYTEST_ARGS)

# Benchmarks need PostgreSQL; they make (and drop) their own databases on it.
BENCH_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/postgres)

bench: $(BIN)/.installed  ## Time big threads and replies on PostgreSQL (docs/performance.md)
	DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_SECRET_KEY=bench-only-secret \
	  $(BIN)/python manage.py bench_threads $(BENCH_ARGS)

loadtest: $(BIN)/.installed  ## 60 s of readers and repliers against gunicorn + PostgreSQL
	DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_SECRET_KEY=bench-only-secret \
	  $(BIN)/python manage.py load_test $(LOADTEST_ARGS)

# Not part of `make test`: pytest collects tests/screenshots.py only when named.
screenshots: $(BIN)/.installed  ## PNGs for docs/screenshots/: home, a thread, the form with errors
	DJANGO_SECRET_KEY=screenshots-only $(BIN)/pytest tests/screenshots.py -q

lint: $(BIN)/.installed  ## What CI checks besides the tests
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	DJANGO_SECRET_KEY=lint $(BIN)/python manage.py makemigrations --check --dry-run

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

superuser: $(BIN)/.installed  ## Create an admin account (asks for a password)
	DJANGO_DEBUG=true $(BIN)/python manage.py createsuperuser

check-threads: $(BIN)/.installed  ## Verify every comment tree
	DJANGO_DEBUG=true $(BIN)/python manage.py check_threads

clean:
	rm -rf $(VENV) staticfiles node_modules
