# The City Workshop platform. `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# The site's public address (cms/settings: SITE_URL), written into the Site record by
# migrate: the address the targets below serve on, unless set otherwise.
SITE_URL ?= http://$(HOST):$(PORT)
# Test processes (pytest-xdist; tests/conftest.py groups what must share one). 0: none.
# The 25 slowest steps are listed at the end: where the suite's minutes go.
WORKERS ?= 2
PYTEST := $(VENV)/bin/pytest -n $(WORKERS) --dist loadgroup --durations=25

.DEFAULT_GOAL := help
.PHONY: help install lock run serve migrate demo admin test quick lint format messages clean backup restore

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# The exact versions of requirements/lock.txt (the base and test dependencies, resolved
# by `make lock` within pyproject.toml's bounds), then the project itself without
# resolving again. Again whenever pyproject.toml or the lock changes.
LOCK := requirements/lock.txt

$(VENV)/.installed: pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed" or 0)'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	@$(PY) -m pip check >/dev/null || { $(PY) -m pip check; echo "$(LOCK) lacks what pyproject.toml asks for: run make lock"; exit 1; }
	touch $@

# axe-core for the accessibility tests; without npm those tests skip (outside CI).
node_modules/.installed: package.json package-lock.json
	if command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund && touch $@; fi

install: $(VENV)/.installed ## Install the locked versions into .venv (again when pyproject.toml or the lock changes)

# uv resolves for every platform and Python from 3.11 on at once (markers where they
# differ), so the one lock serves Linux x86_64 and aarch64 alike. It is installed into
# .venv from PyPI here only; `make install` needs nothing but pip.
lock: ## Resolve the dependencies again into requirements/lock.txt (after editing pyproject.toml)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "uv>=0.5,<1"
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 \
		--custom-compile-command "make lock" --quiet --output-file $(LOCK) $(UPGRADE)

migrate: install ## Apply database migrations (and write SITE_URL into the Site record)
	SITE_URL=$(SITE_URL) $(MANAGE) migrate --no-input

demo: migrate ## Load the 2017 Zhytomyr demo edition when there is no edition yet
	$(MANAGE) load_demo --if-empty

admin: migrate ## Create an admin account if there is none, and say how to log in
	SITE_URL=$(SITE_URL) $(MANAGE) ensure_admin

run: demo admin ## Install, migrate, load the demo if empty, and serve on http://127.0.0.1:8000
	SITE_URL=$(SITE_URL) $(MANAGE) runserver $(HOST):$(PORT)

# The production settings on this machine: collected static files, gunicorn on
# $(HOST):$(PORT), the mail worker beside it. One shell, so that the SECRET_KEY (yours, or
# a throwaway one made here) is the same for collectstatic, the worker and gunicorn.
# Plain HTTP with nothing in front, hence its three switches: no HTTPS redirect, cookies
# that are not HTTPS-only (SECURE_COOKIES=off, else a browser never sends them back and
# every form and the admin login answer 403) and the images' renditions served by
# gunicorn (SERVE_MEDIA=on; documents are streamed by Wagtail's view). The worker is
# stopped when gunicorn stops, for whatever reason (Ctrl-C included).
serve: demo admin ## Serve with the production settings and gunicorn on http://127.0.0.1:8000
	@set -e; \
	export DJANGO_SETTINGS_MODULE=cms.settings.production; \
	export SECRET_KEY="$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}"; \
	export ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}"; \
	export SITE_URL=$(SITE_URL); \
	export SECURE_SSL_REDIRECT=off SECURE_COOKIES=off SERVE_MEDIA=on GUNICORN_BIND=$(HOST):$(PORT); \
	$(MANAGE) collectstatic --no-input --verbosity 0; \
	$(MANAGE) db_worker --backend mail & worker=$$!; \
	trap 'kill $$worker 2>/dev/null || true' EXIT; \
	trap 'exit 130' INT TERM; \
	echo "Serving on http://$(HOST):$(PORT)/ (admin: /admin/); Ctrl-C stops it."; \
	$(VENV)/bin/gunicorn -c cms/gunicorn.py cms.wsgi

backup: install ## Back up the database and media files into backups/
	$(MANAGE) backup_site

restore: install ## Restore a backup: make restore ARCHIVE=backups/cityworkshop-….tar.gz
	@test -n "$(ARCHIVE)" || { echo "Usage: make restore ARCHIVE=backups/….tar.gz"; exit 2; }
	$(MANAGE) restore_site "$(ARCHIVE)"

# The tests come in tiers (README, «Tests»): unit, site, browser, servers, checkers.
test: lint node_modules/.installed ## Lint, then the whole test suite: every tier
	$(PYTEST)

quick: install ## The unit and site tiers, for the edit-test loop (a few minutes)
	$(PYTEST) -q -m "unit or site"

lint: install ## Ruff, no model change without its migration, imports down the layers
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=cms.settings.test $(MANAGE) makemigrations --check --dry-run
	$(VENV)/bin/pytest -q -n 0 tests/test_layers.py

format: install ## Format the code and apply Ruff's safe fixes
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: install ## Update and compile the Ukrainian translation catalogue
	$(MANAGE) makemessages -l uk --no-obsolete --ignore=.venv --ignore=node_modules --ignore=tests --ignore=locale_admin
	$(MANAGE) compilemessages -l uk --ignore=.venv

clean: ## Remove the virtual environment and caches (keeps the database)
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
