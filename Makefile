# Portail Familles. `make run` serves the demo portal (and runs its task worker); `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint format bench messages clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	mkdir -p var
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py seed_demo
	# The background-task worker (issuing runs) beside the web server, stopped with it.
	if [ "$${TASKS_BACKEND:-database}" = rq ]; then \
	  DEBUG=1 $(BIN)/python manage.py rqworker --job-class django_tasks_rq.Job default & \
	else \
	  DEBUG=1 $(BIN)/python manage.py db_worker --no-reload & \
	fi; worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py

# After changing a French string: the English catalogue gains the new msgids (empty, to be
# translated by hand in django.po) and loses the old ones; then placeholders are checked and the
# .mo compiled, with the French catalogue of the libraries' English strings (locale/fr, written
# by hand; see docs/i18n.md). Needs GNU gettext.
MAKEMESSAGES_IGNORE := --ignore=.venv --ignore=var --ignore=bench --ignore=tests
messages: $(STAMP)
	PORTAL_TESTING=1 $(BIN)/python manage.py makemessages -l en --no-obsolete --add-location=file $(MAKEMESSAGES_IGNORE)
	msgfmt --check-format -o /dev/null locale/en/LC_MESSAGES/django.po
	msgfmt --check-format -o /dev/null locale/fr/LC_MESSAGES/django.po
	PORTAL_TESTING=1 $(BIN)/python manage.py compilemessages -l en -l fr --ignore=.venv --ignore=var

clean:
	rm -rf $(VENV) var
