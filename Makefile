# ITA Tracker: `make run` sets up and serves the demo; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run install migrate demo serve test test-postgres bench system-deps clean

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
	@echo "ITA Tracker: http://$(HOST):$(PORT)/"
	@trap 'kill 0' INT TERM EXIT; \
	$(FLASK) tracker scheduler & \
	$(FLASK) run --host $(HOST) --port $(PORT)

run: demo serve

system-deps:
	scripts/install-system-deps.sh

test: install system-deps
	$(BIN)/python -m pytest

# The same suite on the local PostgreSQL server (what .ci/run does as well).
test-postgres: install system-deps
	TRACKER_TEST_DATABASE_URL=$${TRACKER_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -m pytest

# Speed and memory targets (scripts/bench.py); on PostgreSQL too when TRACKER_BENCH_DATABASE_URL is set.
bench: install
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(VENV) .pytest_cache
