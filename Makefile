# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install migrate demo translations translations-update lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d app/translations >/dev/null

# After changing user-visible text: refresh the catalogue, translate the new entries in
# app/translations/ja/LC_MESSAGES/messages.po, then `make test` (tests/i18n checks completeness).
translations-update: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _l -k ValidationError -k invalid:2 \
		-o $(VENV)/messages.pot .
	$(BIN)/pybabel update --ignore-obsolete -i $(VENV)/messages.pot -d app/translations -l ja

migrate: install
	$(FLASK) db upgrade
	$(FLASK) refdata load
	$(FLASK) measures load

demo: migrate
	$(FLASK) demo load

# Served by gunicorn, the production server (gunicorn.conf.py: WEB_WORKERS, WEB_THREADS).
# The scheduler process (deadlines, e-mail notices) runs beside it so that demo deadlines
# move on their own; both are stopped (SIGTERM, graceful) when the server stops or on Ctrl-C.
run: demo
	@$(FLASK) demo users
	@echo "Serving on http://$(HOST):$(PORT)/ (the scheduler runs beside it)"
	@$(FLASK) scheduler run & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(BIN)/gunicorn --bind $(HOST):$(PORT) wsgi:app

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check app workflows tests bench

# Every bench in bench/ at its default size (a few minutes), result lines together at the end;
# `make bench SIZE=national` (or SIZE=1m) for the 1,000,000-case size. See bench/README.md.
SIZE ?= default
bench: install
	$(BIN)/python bench/run_all.py --size $(SIZE)

clean:
	rm -rf $(VENV) instance .pytest_cache
