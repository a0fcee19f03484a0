# The two commands a newcomer runs: `make run` and `make test`.
PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed-stamp
# uv installs the dependencies (pinned in pyproject.toml) in seconds; pip if uv cannot
UV_VERSION = 0.13.9
# Each module's bytecode is written by the first process that imports it, and read by
# the next ones: where PYTHONDONTWRITEBYTECODE is set, every process would otherwise
# compile some 2,000 modules as it starts (2.7 s of the 5 s an `escalade` command took).
# Compiling all 8,700 modules of the venv at install instead took 20 s of `make test`.
unexport PYTHONDONTWRITEBYTECODE
export ESCALADE_DEMO_PASSWORD ?= escalade-demo

.PHONY: install messages messages-update run run-directory demo worker test docs lint format schema bench bench-list bench-route bench-machine bench-startup bench-suite bench-faults bench-frontline bench-broadcasts bench-mail bench-worksheet bench-paging bench-cluster clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q uv==$(UV_VERSION) \
		&& $(BIN)/python -m uv pip install -q --python $(BIN)/python -e '.[dev]' \
		|| ($(BIN)/python -m pip install -q --upgrade pip \
			&& $(BIN)/python -m pip install -q -e '.[dev]')
	touch $(STAMP)

install: $(STAMP) messages

messages: $(STAMP)
	$(BIN)/python scripts/compile_messages.py

# After changing interface strings: extract them into the .po and list what to translate.
messages-update: $(STAMP)
	$(BIN)/python scripts/update_messages.py

# Creates var/, migrates SQLite, loads the demo packs and creates the demo users.
demo: install
	mkdir -p var
	$(BIN)/escalade migrate --noinput
	$(BIN)/escalade load_pack packs/cusm-telehealth packs/ciusss-emtl packs/ontario-viewer \
		packs/ch-pau-imaging
	$(BIN)/escalade create_demo_users

# The demo, served on :8000 (web server, task worker and scheduler).
run: demo
	$(BIN)/escalade run_embedded 127.0.0.1:8000

# The same, signing people in through a demo hospital directory (Debian's slapd, started
# in var/directory): agent1, analyst2, gestion... with their roles from the directory's groups.
run-directory: demo
	$(BIN)/escalade run_with_directory 127.0.0.1:8000

worker: install
	$(BIN)/escalade run_worker

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: install
	$(BIN)/escalade export_openapi > openapi/schema.json

# lint, the apps' import boundaries, then every test (browser tests where chromium exists),
# among them the checks that the migrations, the OpenAPI schema and the docs site are true
# to the code (tests/test_generated.py). pytest writes the test modules it rewrote (see
# PYTHONDONTWRITEBYTECODE above): the workers and the next run read them.
# pytest's workers: three on this project's two-core machine, because the long tests wait
# on real time (leases, polls, an idle sign-out) and each worker starts with its share of
# them (conftest.py): while one waits, the other two keep both cores busy. WORKERS=8 on a
# larger machine.
WORKERS ?= 3

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q -n $(WORKERS) --dist worksteal $(PYTEST_ARGS)

# The documentation site (docs/, mkdocs.yml), rebuilt as you edit it.
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve -a 127.0.0.1:8001

bench: install
	$(BIN)/python bench/intake.py

bench-list: install
	$(BIN)/python bench/lists.py

bench-route: install
	$(BIN)/python bench/route.py

bench-machine: install
	$(BIN)/python bench/machine.py

bench-startup: install
	$(BIN)/python bench/startup.py

bench-suite: install
	$(BIN)/python bench/suite.py

bench-frontline: install
	$(BIN)/python bench/frontline.py

bench-broadcasts: install
	$(BIN)/python bench/broadcasts.py
	$(BIN)/python bench/broadcasts.py --db postgres

bench-mail: install
	$(BIN)/python bench/mail.py
	$(BIN)/python bench/mail.py --db postgres

# Restarts the local PostgreSQL: not beside CI.
bench-worksheet: install
	$(BIN)/python bench/worksheet.py
	$(BIN)/python bench/worksheet.py --db postgres

bench-faults: install
	$(BIN)/python bench/faults.py

bench-paging: install
	$(BIN)/python bench/paging.py

bench-cluster: install
	$(BIN)/python bench/cluster.py

clean:
	rm -rf $(VENV) var
