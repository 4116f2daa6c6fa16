# Sanhui developer tasks. Needs only GNU make and Python 3.11:
#   make run       development server on http://127.0.0.1:8000/ (demo data, DEBUG on)
#   make test      whole test suite on SQLite (browser tests use /usr/bin/chromium)
#   make test-pg   the same suite on a local PostgreSQL 15 (set up by scripts/pg-ensure.sh)
#   make bench     load benchmark, burst and city-size timings (bench/, not part of `make test`)
#   make test-faults  PostgreSQL stopped and gunicorn workers killed during a burst of votes (root)
#   make cluster | cluster-stop   nginx, two app hosts, PostgreSQL primary + synchronous standby, Redis (root)
#   make test-cluster  the failover drill on that cluster: hosts, Redis and the primary killed during a burst (root)
#   make audit     known vulnerabilities of the pins and of everything installed (pip-audit, own virtualenv)
#   make lint | messages | clean | distclean

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV        := .venv
VENV_PY     := $(VENV)/bin/python
STAMP       := $(VENV)/.installed
# python3.11 if it is on PATH, else python3 (its version is checked before use).
ifeq ($(origin PYTHON),undefined)
PYTHON      := $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null || echo python3)
endif
CHROMIUM    := /usr/bin/chromium
# Without a CJK font every Chinese character in a screenshot is a box.
CJK_FONT    := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
PG_URL      := postgres://sanhui:sanhui@127.0.0.1:5432/sanhui
PYTEST_ARGS ?=
# pytest-xdist: one test process per core; a file's tests stay together (module-scoped worlds).
PYTEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
PYTEST_XDIST := -n $(PYTEST_WORKERS) --dist loadfile
# The browser journeys drive the same views and templates on either database; `make test` runs
# them on SQLite, and on PostgreSQL everything else runs (services, concurrency, views, the access
# matrix, XSS as HTML), which keeps .ci/run under its 15 minutes. PG_PYTEST_ARGS= runs them too.
PG_PYTEST_ARGS ?= -m "not e2e"
MANAGE      := $(VENV_PY) manage.py

BENCH_ARGS  ?=

AUDIT_VENV  := .venv-audit
PIP_AUDIT   := pip-audit==2.10.1

.PHONY: help venv vendor run chromium test test-pg test-faults cluster-packages cluster cluster-stop test-cluster test-cluster-async bench-cluster audit bench bench-quick bench-district upgrade-drill lint messages clean distclean

help:
	@echo "make run        migrate, seed demo data, serve on http://127.0.0.1:8000/ (DJANGO_DEBUG=1)"
	@echo "make test       whole test suite on SQLite        (extra pytest args: PYTEST_ARGS='-x -k foo')"
	@echo "make test-pg    whole test suite on PostgreSQL 15 ($(PG_URL))"
	@echo "make bench      benchmark on PostgreSQL and SQLite -> bench/results/<date>.md (about 15 min on 2 cores)"
	@echo "                (BENCH_ARGS='--district' full district data, '--city' whole city, '--quick' smoke run)"
	@echo "make upgrade-drill  an earlier release's database (city data) migrated by this checkout still verifies"
	@echo "make test-faults  stop PostgreSQL and kill gunicorn workers during a burst of votes (root)"
	@echo "make cluster    a real cluster on this machine (docs/DEPLOY.md): nginx :8091, 2 app hosts, PostgreSQL"
	@echo "                primary + synchronous hot standby, Redis, the schedule on both hosts (root); make cluster-stop"
	@echo "make test-cluster  failover drill: 2,000 votes through nginx while a host, Redis and the primary fail (root)"
	@echo "make test-cluster-async  the same with an asynchronous standby: shows the receipts it loses"
	@echo "make bench-cluster  cast vs floor on the cluster's primary, synchronous standby vs asynchronous"
	@echo "make audit      known vulnerabilities: pip-audit (own virtualenv), then PyPI's newest-release advisories"
	@echo "make lint       ruff check"
	@echo "make messages   makemessages -l zh_Hans + compilemessages (needs GNU gettext)"
	@echo "make clean      remove caches, collected static files, test artifacts"
	@echo "make distclean  clean + remove $(VENV)"

# --- Virtualenv ---------------------------------------------------------------------
venv: $(STAMP)

# pip and setuptools are upgraded too: the ones `python -m venv` bootstraps (setuptools 65.5.0 on
# 3.11) would be stale packages in the installed-packages audit.
$(STAMP): requirements.txt
	@if ! "$(PYTHON)" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then \
		echo "ERROR: Python 3.11 is required; '$(PYTHON)' is $$("$(PYTHON)" -c 'import sys; print("Python " + sys.version.split()[0])' 2>/dev/null || echo "missing")." >&2; \
		echo "       Install python3.11 or run: make PYTHON=/path/to/python3.11 ..." >&2; \
		exit 1; \
	fi
	@if [ -e "$(VENV_PY)" ] && ! "$(VENV_PY)" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then \
		echo "$(VENV) is broken or not Python 3.11: recreating it"; rm -rf "$(VENV)"; \
	fi
	@if [ ! -e "$(VENV_PY)" ]; then \
		echo "creating $(VENV) with $(PYTHON) ($$("$(PYTHON)" -V 2>&1))"; \
		"$(PYTHON)" -m venv "$(VENV)" || { \
			echo "ERROR: '$(PYTHON) -m venv' failed (on Debian/Ubuntu: apt-get install python3.11-venv)" >&2; \
			rm -rf "$(VENV)"; exit 1; }; \
	fi
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check --upgrade pip setuptools
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch "$@"

# --- Front-end libraries (npm, locked by package-lock.json; never a CDN) ---------------
# Chart.js 4 for the evaluation dashboard, copied to a git-ignored static path of its own so no
# other copy (django-chartjs ships Chart.js 2.9.3 as js/Chart.min.js) can be served in its place.
CHARTJS     := static/vendor/chartjs4/chart.umd.js
# The accessibility checker the browser journeys inject into each page (a development dependency,
# never served): tests/e2e/axe.py reads it from here.
AXE         := node_modules/axe-core/axe.min.js

vendor: $(CHARTJS) $(CHARTJS).map $(AXE)

# All from one npm run (a working copy made before the map was copied gets it too).
$(CHARTJS) $(CHARTJS).map $(AXE) &: package.json package-lock.json
	@command -v npm >/dev/null || { echo "ERROR: npm is needed (Node.js 20: apt-get install nodejs npm)" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(AXE)  # npm keeps the package's own (old) time; make compares against package.json
	@mkdir -p $(dir $(CHARTJS))
	cp node_modules/chart.js/dist/chart.umd.js $(CHARTJS)
	# Its source map too: the file names it, and collectstatic's manifest fails on a missing reference.
	cp node_modules/chart.js/dist/chart.umd.js.map $(CHARTJS).map

# --- Development server -------------------------------------------------------------
# DEBUG on: no secret key needed, and WhiteNoise serves static files straight from the
# apps and static/ (runserver_nostatic + staticfiles), so no collectstatic is needed.
run: $(STAMP) vendor
	@mkdir -p staticfiles  # STATIC_ROOT; empty in debug, but WhiteNoise warns when it is missing
	DJANGO_DEBUG=1 $(MANAGE) migrate --noinput
	DJANGO_DEBUG=1 $(MANAGE) seed_demo
	DJANGO_DEBUG=1 $(MANAGE) runserver 127.0.0.1:8000

# --- Browser for the end-to-end tests (Debian's chromium; never `playwright install`) --
chromium:
	@if [ -x "$(CHROMIUM)" ] && [ -e "$(CJK_FONT)" ]; then \
		:; \
	elif [ "$$(id -u)" = "0" ]; then \
		echo "installing chromium and a Chinese font for screenshots (apt-get)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk </dev/null; \
	else \
		echo ""; \
		echo "########################################################################"; \
		echo "# WARNING: $(CHROMIUM) is missing and we are not root to install it."; \
		echo "# Browser (e2e) tests will be SKIPPED."; \
		echo "# Install it with:  sudo apt-get install -y chromium fonts-noto-cjk"; \
		echo "########################################################################"; \
		echo ""; \
	fi

# --- Tests ---------------------------------------------------------------------------
# `make test` is always SQLite, whatever DATABASE_URL the calling shell has.
test: $(STAMP) vendor chromium
	@mkdir -p staticfiles  # STATIC_ROOT; WhiteNoise warns when it is missing
	env -u DATABASE_URL $(VENV)/bin/pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

test-pg: $(STAMP) vendor chromium
	@mkdir -p staticfiles
	bash scripts/pg-ensure.sh
	DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest $(PYTEST_XDIST) $(PG_PYTEST_ARGS) $(PYTEST_ARGS)

# --- Benchmark (never part of `make test` or .ci/run) ------------------------------------
# Needs only the project's virtualenv: the load driver is standard-library Python. bench/run.py
# runs scripts/pg-ensure.sh before it uses PostgreSQL (a load database of the run's own, dropped at its
# end, and sanhui_bench_city, built afresh by one run at a time and kept for bench.api_timing);
# BENCH_ARGS='--db sqlite --no-scale' needs no PostgreSQL at all.
bench: $(STAMP) vendor
	$(VENV_PY) -m bench.run $(BENCH_ARGS)
	@# The cluster's failover drill too (not in .ci/run, for its time budget); it needs root.
	@if [ "$$(id -u)" = "0" ]; then $(MAKE) test-cluster; else echo "make test-cluster skipped: it needs root"; fi

bench-quick: $(STAMP) vendor
	$(VENV_PY) -m bench.run --quick $(BENCH_ARGS)

bench-district: $(STAMP) vendor
	$(VENV_PY) -m bench.run --district $(BENCH_ARGS)

# A database filled by an earlier release (the bench's city data), migrated by this checkout, must
# still verify (verify_audit) with every vote row kept: scripts/upgrade-drill.sh. UPGRADE_FROM is
# the last commit before the apps were split (decisions/, coordination/); UPGRADE_COMMITTEES=280
# is the full district (1.4 million residents, about half an hour on 2 cores).
UPGRADE_FROM ?= 6543954
UPGRADE_COMMITTEES ?= 28
upgrade-drill: $(STAMP)
	UPGRADE_FROM=$(UPGRADE_FROM) UPGRADE_COMMITTEES=$(UPGRADE_COMMITTEES) bash scripts/upgrade-drill.sh

# Needs root (it stops and starts the PostgreSQL cluster) and a free port 8765.
# FAULTS_PG_CLUSTER/FAULTS_PG_PORT choose another cluster (e.g. a throwaway one on a shared machine).
test-faults: $(STAMP)
	@if [ "$$(id -u)" != "0" ]; then \
		echo "ERROR: make test-faults stops and starts PostgreSQL with pg_ctlcluster: run it as root." >&2; exit 1; fi
	@mkdir -p staticfiles test-artifacts/figures
	PG_PORT=$${FAULTS_PG_PORT:-5432} bash scripts/pg-ensure.sh
	$(VENV_PY) tests/faults/run_faults.py

# --- The cluster of docs/DEPLOY.md on one machine (scripts/cluster.sh, data in .cluster/) ------------
# Debian's nginx and Redis are installed on first use as `make test` installs chromium; their own
# services are not started (scripts/cluster.sh runs its own instances on loopback addresses).
cluster-packages:
	@if [ "$$(id -u)" != "0" ]; then \
		echo "ERROR: the cluster runs PostgreSQL as the postgres user and installs packages: run as root." >&2; exit 1; fi
	@if ! command -v nginx >/dev/null || ! command -v redis-server >/dev/null || ! command -v curl >/dev/null; then \
		echo "installing nginx, redis-server and curl (apt-get)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq nginx-light redis-server curl </dev/null; \
	fi
	@[ -x /usr/lib/postgresql/15/bin/initdb ] || PG_PORT=$${FAULTS_PG_PORT:-5432} bash scripts/pg-ensure.sh

cluster: $(STAMP) vendor cluster-packages
	bash scripts/cluster.sh start

cluster-stop:
	bash scripts/cluster.sh stop

# The drill starts its own cluster and always stops it (also on failure or Ctrl-C).
test-cluster: $(STAMP) vendor cluster-packages
	$(VENV_PY) tests/cluster/drill.py

test-cluster-async: $(STAMP) vendor cluster-packages
	CLUSTER_SYNC=0 $(VENV_PY) tests/cluster/drill.py

# What the synchronous standby costs the cast: bench/run.py against the cluster's primary, with the
# standby synchronous and then asynchronous (scripts/cluster-bench.sh; BENCH_CLUSTER_ARGS, default --quick).
bench-cluster: $(STAMP) vendor cluster-packages
	bash scripts/cluster-bench.sh

# pip-audit lives in its own virtualenv, so its dependencies never enter requirements.txt.
# First the pins as written (no resolution), then everything installed from them (transitive too).
# What pip-audit could not look up is checked against the advisories PyPI lists for the project's
# newest release (only when our version is that release). Fails on a known vulnerability; packages
# neither could check are listed as NOT audited (see docs/SECURITY.md).
audit: $(STAMP)
	@if [ ! -x "$(AUDIT_VENV)/bin/pip-audit" ]; then \
		"$(PYTHON)" -m venv "$(AUDIT_VENV)" && \
		"$(AUDIT_VENV)/bin/python" -m pip install --quiet --disable-pip-version-check "$(PIP_AUDIT)"; fi
	$(VENV_PY) tests/security/audit.py $(AUDIT_VENV) $(VENV)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Developers only: needs GNU gettext (msgfmt/xgettext).
messages: $(STAMP)
	@command -v msgfmt >/dev/null && command -v xgettext >/dev/null || { \
		echo "ERROR: GNU gettext is needed (apt-get install gettext)" >&2; exit 1; }
	DJANGO_DEBUG=1 $(MANAGE) makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles --ignore=node_modules --ignore=tests --ignore=bench
	DJANGO_DEBUG=1 $(MANAGE) compilemessages -l zh_Hans --ignore=.venv --ignore=staticfiles --ignore=node_modules --ignore=tests --ignore=bench

clean:
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache staticfiles test-artifacts bench/.work static/vendor

distclean: clean
	rm -rf $(VENV) $(AUDIT_VENV)
