# The two commands: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format check setup demo worker messages browser bench clean

$(STAMP): requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $(STAMP)

setup: $(STAMP)
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable

demo: setup
	$(BIN)/python manage.py seed_demo

run: demo
	@$(BIN)/python manage.py demo_users
	@echo "Serving http://$(HOST):$(PORT)/  (Ctrl-C stops web server and worker)"
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/celery -A esm worker --beat --schedule var/celerybeat-schedule --pool=solo --loglevel=WARNING & \
	ESM_MANIFEST_STATIC=$${ESM_MANIFEST_STATIC:-false} $(BIN)/gunicorn esm.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 --access-logfile - & \
	wait

worker: setup
	$(BIN)/celery -A esm worker --loglevel=INFO

# Debian packages the tests start themselves: chromium (browser tests), dovecot (IMAP tests).
browser:
	@missing=""; \
	command -v chromium >/dev/null || test -x /usr/bin/chromium || missing="$$missing chromium"; \
	test -x /usr/sbin/dovecot || command -v dovecot >/dev/null || missing="$$missing dovecot-imapd"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's$$missing for the tests…"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	    || echo "Could not install$$missing: the tests that need them will be skipped."; \
	  else echo "Missing$$missing and cannot install here: the tests that need them will be skipped (apt-get install$$missing)."; fi; \
	fi

test: $(STAMP) browser
	@mkdir -p var
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: $(STAMP)
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	ESM_SECRET_KEY=ci-check-only-$$(head -c 32 /dev/urandom | base64 | tr -dc a-zA-Z0-9) ESM_HTTPS=true ESM_INSECURE_DEFAULTS=false \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

messages: $(STAMP)
	cd esm && ../$(BIN)/django-admin makemessages -l da --no-obsolete --ignore='tests/*' --ignore='*/tests/*'
	cd esm && ../$(BIN)/django-admin compilemessages

bench: $(STAMP)
	$(BIN)/python bench/cases.py

clean:
	rm -rf var
