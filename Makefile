# ITA Tracker: `make run` sets up and serves the demo; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000
# The address links in messages point at: where `make run` serves, unless set in the environment.
TRACKER_BASE_URL ?= http://$(HOST):$(PORT)
export TRACKER_BASE_URL

.PHONY: run install migrate demo serve test test-postgres bench bench-kanboard bench-national system-deps-run system-deps-test system-deps-bench \
	checks fresh-machine-check clean

$(VENV)/installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/installed

migrate: install
	mkdir -p instance
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) tracker demo

# The web server and, beside it, the reminder scheduler (its own process); Ctrl+C stops both.
serve:
	@echo "ITA Tracker: $(TRACKER_BASE_URL)/"
	@$(BIN)/python scripts/serve.py --host $(HOST) --port $(PORT)

run: system-deps-run demo serve

# Debian packages (with sudo when not root): what serving needs, and what the tests add.
system-deps-run:
	@scripts/install-system-deps.sh run

system-deps-test:
	@scripts/install-system-deps.sh test

system-deps-bench:
	@scripts/install-system-deps.sh bench

test: install system-deps-test
	$(BIN)/python -m pytest

# The same suite on the local PostgreSQL server (what .ci/run does as well).
test-postgres: install system-deps-test
	TRACKER_TEST_DATABASE_URL=$${TRACKER_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -m pytest

# Speed and memory targets (scripts/bench.py), on SQLite and on the PostgreSQL server named here
# (left out, with a line saying so, when it does not answer).
bench: install system-deps-bench
	TRACKER_BENCH_DATABASE_URL=$${TRACKER_BENCH_DATABASE_URL-postgresql+psycopg://postgres@127.0.0.1:5432/postgres} \
		$(BIN)/python scripts/bench.py

# The task page beside Kanboard's on this machine (scripts/kanboard_compare.py); KANBOARD names a
# Kanboard source tree, else the script downloads the release it names.
KANBOARD ?=
bench-kanboard: install
	@scripts/install-system-deps.sh kanboard
	$(BIN)/python scripts/kanboard_compare.py $(if $(KANBOARD),--kanboard $(KANBOARD))

# The pages at national scale (issue 12) on the local PostgreSQL server: builds NATIONAL_AGENCIES
# agencies in NATIONAL_DATABASE, or reuses it when it already holds them (scripts/bench_national.py).
NATIONAL_AGENCIES ?= 8000
NATIONAL_DATABASE ?= ita_tracker_national
NATIONAL_SERVER   ?= postgresql+psycopg://postgres@127.0.0.1:5432
bench-national: install
	$(BIN)/python scripts/bench_national.py --reuse --agencies $(NATIONAL_AGENCIES) \
		--database-url $(NATIONAL_SERVER)/$(NATIONAL_DATABASE)

# The dependency audit and the static security check (requirements-checks.txt, docs/security-checks.md).
checks: install
	VENV=$(VENV) scripts/security-checks

# make run and the browser and PDF tests on a brand-new Debian 12 root (as root; see the script).
fresh-machine-check:
	scripts/fresh-machine-check

clean:
	rm -rf $(VENV) .pytest_cache
