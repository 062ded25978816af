# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.lock | cut -d' ' -f1)
MANAGE := $(BIN)/python manage.py
# Where `make run` and `make serve` listen, e.g. `make run PORT=8011`.
HOST ?= 127.0.0.1
PORT ?= 8000
# The file `make secret-key` (and so `make serve`) writes the secret key into.
ENV_FILE ?= .env
# Test processes (pytest-xdist); the machine has two cores.
PYTEST_WORKERS ?= 2

.PHONY: install run test test-demo e2e serve secret-key lint format messages lock clean

# Keep a secret key from the environment or $(ENV_FILE); otherwise write a random one there,
# into an empty DJANGO_SECRET_KEY= line if there is one (the last one counts, as for
# django-environ), else on a new line. Standard library only, so it needs no install.
define WRITE_SECRET_KEY
import os, secrets, sys
from pathlib import Path
name = "DJANGO_SECRET_KEY"
if os.environ.get(name, "").strip():
    sys.exit()
path = Path(sys.argv[1])
lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
found = [i for i, line in enumerate(lines) if line.removeprefix("export ").startswith(name + "=")]
if found and lines[found[-1]].split("=", 1)[1].strip().strip("'\"").strip():
    sys.exit()
line = f"{name}={secrets.token_urlsafe(50)}"
if found:
    lines[found[-1]] = line
else:
    lines.append(line)
if not path.exists():
    path.touch(mode=0o600)
path.write_text("\n".join(lines) + "\n", encoding="utf-8")
print(f"已在 {path} 写入随机生成的 {name}")
endef
export WRITE_SECRET_KEY

$(STAMP): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## make run — set up everything and serve the portal with demo data on http://$(HOST):$(PORT)/
run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo --address $(HOST):$(PORT)
	$(MANAGE) runserver $(HOST):$(PORT)

## make test — lint, type check (mypy), the import contract, Django checks, migration check and the whole test suite
## (SQLite when DATABASE_URL is unset; PostgreSQL when it points there)
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The checks and tests run on the code's defaults and the environment, never on a developer's
# .env (the one `make serve` writes a secret key into): see portal.config.read_env_file.
test test-demo e2e: export PORTAL_READ_ENV_FILE = false

## make test-demo — only the demo's tests (DEMO_TODAY=YYYY-MM-DD runs them as of that day)
test-demo: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) tests/demo $(PYTEST_ARGS)

## make e2e — only the browser journeys
e2e: install
	$(BIN)/pytest -m e2e $(PYTEST_ARGS)

## make serve — the production-style server (gunicorn + whitenoise, DEBUG off) on $(HOST):$(PORT).
## Plain HTTP for trying it locally; set DJANGO_HTTPS=true behind a TLS proxy.
serve: install secret-key
	DJANGO_DEBUG=false DJANGO_HTTPS=$${DJANGO_HTTPS:-false} \
		DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost} $(MANAGE) collectstatic --noinput -v 0
	DJANGO_DEBUG=false DJANGO_HTTPS=$${DJANGO_HTTPS:-false} \
		DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost} $(MANAGE) migrate --noinput
	DJANGO_DEBUG=false DJANGO_HTTPS=$${DJANGO_HTTPS:-false} \
		DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost} \
		$(BIN)/gunicorn portal.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-3} \
		--access-logfile - --forwarded-allow-ips="$${FORWARDED_ALLOW_IPS:-127.0.0.1}"

## make secret-key — write a random DJANGO_SECRET_KEY into .env unless one is set
secret-key:
	@$(PYTHON) -c "$$WRITE_SECRET_KEY" "$(ENV_FILE)"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

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
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .import_linter_cache
