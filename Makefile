# Waishi: `make run` to try it, `make test` to test everything. See README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# PostgreSQL for the second test run: DATABASE_URL when set (the run fails if it cannot connect), else the
# local server when one answers.
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/postgres
PYTEST_ARGS ?=

.PHONY: run install test lint check test-sqlite test-postgres test-e2e messages clean bench

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	env -u DATABASE_URL $(MANAGE) migrate --no-input
	env -u DATABASE_URL $(MANAGE) load_demo
	env -u DATABASE_URL $(MANAGE) runserver 127.0.0.1:8000

test: lint check test-sqlite test-postgres test-e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	env -u DATABASE_URL $(MANAGE) check
	env -u DATABASE_URL $(MANAGE) makemigrations --check --dry-run

test-sqlite: install
	env -u DATABASE_URL $(BIN)/python -m pytest -m "not e2e" -n 2 -q $(PYTEST_ARGS)

test-postgres: install
	@if [ -n "$(DATABASE_URL)" ]; then \
	  echo "Running the suite on PostgreSQL at DATABASE_URL"; \
	  DATABASE_URL="$(DATABASE_URL)" $(BIN)/python -m pytest -m "not e2e" -n 2 -q $(PYTEST_ARGS); \
	elif $(BIN)/python -c "import psycopg, sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" \
	     "$(PG_TEST_URL)" 2>/dev/null; then \
	  echo "PostgreSQL reachable at $(PG_TEST_URL): running the suite on it"; \
	  DATABASE_URL="$(PG_TEST_URL)" $(BIN)/python -m pytest -m "not e2e" -n 2 -q $(PYTEST_ARGS); \
	else \
	  echo "No DATABASE_URL and no local PostgreSQL at $(PG_TEST_URL): skipping the PostgreSQL run"; \
	fi

test-e2e: install
	env -u DATABASE_URL DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/python -m pytest -m e2e -q -p no:xdist $(PYTEST_ARGS)

# Benchmarks of QUALITY.md's performance table (bench/run.py, docs/performance.md): PostgreSQL in a database
# of its own when a server answers at BENCH_PG_SERVER, else SQLite; the data is generated when missing.
BENCH_SCALE ?= S
bench: install
	BENCH_SCALE=$(BENCH_SCALE) $(BIN)/python -m bench.run

messages: install
	$(MANAGE) makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=static/vendor
	$(MANAGE) compilemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) var staticfiles test-results
