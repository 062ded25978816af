# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.lock | cut -d' ' -f1)
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes (pytest-xdist); the machine has two cores.
PYTEST_WORKERS ?= 2

.PHONY: install run test e2e serve lint format messages lock clean

$(STAMP): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## make run — set up everything and serve the portal with demo data on http://127.0.0.1:8000/
run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	$(MANAGE) runserver $(HOST):$(PORT)

## make test — lint, Django checks, migration check and the whole test suite
## (SQLite when DATABASE_URL is unset; PostgreSQL when it points there)
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## make e2e — only the browser journeys
e2e: install
	$(BIN)/pytest -m e2e $(PYTEST_ARGS)

## make serve — the production-style server (gunicorn + whitenoise, DEBUG off) on 127.0.0.1:8000.
## Plain HTTP for trying it locally; set DJANGO_HTTPS=true behind a TLS proxy.
serve: install
	@test -f .env && grep -q '^DJANGO_SECRET_KEY=' .env || \
		echo "DJANGO_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" >> .env
	DJANGO_DEBUG=false DJANGO_HTTPS=$${DJANGO_HTTPS:-false} \
		DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost} $(MANAGE) collectstatic --noinput -v 0
	DJANGO_DEBUG=false DJANGO_HTTPS=$${DJANGO_HTTPS:-false} \
		DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost} $(MANAGE) migrate --noinput
	DJANGO_DEBUG=false DJANGO_HTTPS=$${DJANGO_HTTPS:-false} \
		DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost} \
		$(BIN)/gunicorn portal.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-3} \
		--access-logfile - --forwarded-allow-ips="$${FORWARDED_ALLOW_IPS:-127.0.0.1}"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make messages — refresh and compile the English translation catalogue
messages: install
	$(MANAGE) makemessages -l en --no-obsolete --ignore=.venv --ignore=tests --ignore=staticfiles --ignore=bench
	$(MANAGE) compilemessages -l en -l zh_Hans --ignore=.venv

## make lock — re-resolve requirements.lock (the whole pinned tree) from pyproject.toml
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -c 'import tomllib; d = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
		print("\n".join(d["dependencies"] + d["optional-dependencies"]["test"]))' > .lock-venv/wanted.txt
	.lock-venv/bin/pip install --quiet --disable-pip-version-check -r .lock-venv/wanted.txt
	(echo "# The whole dependency tree, pinned. Regenerate with 'make lock' after editing pyproject.toml."; \
		.lock-venv/bin/pip freeze --exclude-editable) > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
