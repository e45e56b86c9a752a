# Two commands do everything on a fresh machine:  make run   and   make test
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    ?= .venv
PY      := $(VENV)/bin/python
RASA    := $(VENV)/bin/rasa
STAMP   := $(VENV)/.installed-$(shell sha1sum requirements.lock | cut -c1-12)
KB      := build/knowledge.db
SPACY   := build/spacy_model/.built
MODEL   := models/family-help.tar.gz
# The safety layer's own model, from its own labelled data (never the NLU data): safety/model.py.
SAFETY  := build/safety_model.pkl
# Front-end packages (GOV.UK Frontend for the widget, axe-core for its tests), from package-lock.json.
NODE    := node_modules/.installed-$(shell sha1sum package-lock.json | cut -c1-12)
BROWSER := /usr/bin/chromium
# Only what changes the built knowledge base: a change to queries or wording needs no retraining.
KNOWLEDGE_FILES := $(shell find knowledge -name '*.yml') knowledge/build.py knowledge/paths.py
TRAINING_FILES  := config.yml $(wildcard domain/*.yml) $(shell find data -name '*.yml')
export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help run test shell build kb train lint unit coverage rules validate stories answer-key e2e eval soak lock clean \
        run-scaled scale-test

help:
	@echo "make run    set up everything, train if needed, serve the chat page on localhost:8080 (Ctrl-C stops)"
	@echo "make test   every test: lint, pytest, data validation, test stories, answer key"
	@echo "make shell  chat with the assistant in this terminal"

# --- set-up ---------------------------------------------------------------
$(STAMP): requirements.lock
	@PY310=$$(bot/find_python.sh) || exit 1; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	  echo "Creating $(VENV) with $$PY310"; rm -rf $(VENV); "$$PY310" -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --quiet --upgrade "pip==24.0"
	$(PY) -m pip install --quiet -r requirements.lock
	rm -f $(VENV)/.installed-*; touch $@

$(NODE): package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js (Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	rm -f node_modules/.installed-*; touch $@

$(BROWSER):
	bot/install_browser.sh

$(KB): $(STAMP) $(KNOWLEDGE_FILES)
	$(PY) -m knowledge.build

$(SPACY): $(KB) knowledge/nlp.py
	$(PY) -m knowledge.nlp && touch $@

$(SAFETY): $(STAMP) $(wildcard safety/data/*.yml) safety/model.py safety/kinds.py understanding/linear.py
	$(PY) -m safety.model

# The topic rules (data/rules/topics.yml) are made from knowledge/topics.yml; a test checks they match.
rules: $(STAMP)
	$(PY) -m knowledge.rules

build: $(SPACY) $(SAFETY)
kb: $(KB)

# Trains only when its inputs changed (make compares file times; rasa also skips an unchanged model).
$(MODEL): $(SPACY) $(TRAINING_FILES)
	@mkdir -p models
	$(RASA) train --domain domain --fixed-model-name family-help --out models
	@touch $@

train: $(MODEL)

run: $(MODEL) $(SAFETY) $(NODE)
	bot/run.sh

shell: $(MODEL) $(SAFETY)
	bot/shell.sh

# Several Rasa servers (SCALE_REPLICAS, default 2) on a private PostgreSQL and a Redis lock store, behind
# nginx on :5005, with the action and web servers; all under build/scaled/. Installs Debian's postgresql,
# redis-server and nginx when missing (bot/install_scaled.sh). `make run` stays SQLite, nothing to install.
run-scaled: $(MODEL) $(SAFETY) $(NODE)
	bot/scaled.sh

# --- tests ------------------------------------------------------------------
lint: $(STAMP)
	$(VENV)/bin/ruff check actions bot knowledge safety triage understanding web settings.py tests

# Every fact-bearing sentence of the seed documents matched to a knowledge item (or excluded, with
# the reason, in knowledge/coverage_exclusions.yml): fails when one is uncovered.
coverage: $(STAMP)
	$(PY) -m knowledge.coverage

unit: build $(NODE) coverage
	$(PY) -m pytest -q tests --ignore=tests/e2e

validate: build
	$(RASA) data validate --domain domain --fail-on-warnings --max-history 4

stories: $(MODEL) $(SAFETY)
	$(RASA) test core --stories tests/test_stories.yml --model $(MODEL) --fail-on-prediction-errors --out build/results

# Everything through the running servers: answer key, safety, and the widget in Chromium.
e2e: $(MODEL) $(SAFETY) $(NODE) $(BROWSER)
	$(PY) -m pytest -q -s tests/e2e

answer-key: e2e

# Not in `make test` (10 minutes): 50 conversations at once; errors, empty replies, memory over time.
soak: $(MODEL) $(SAFETY) $(NODE)
	$(PY) -m tests.e2e.soak --concurrency 50 --seconds 600

# Not in `make test` (about 10 minutes, localhost only, its own ports): the scaled layout measured.
# Messages to one conversation at once on two servers, with and without the lock store; throughput
# and p95 of make-run's layout against one and two Rasa servers on PostgreSQL and Redis.
# One part: make scale-test SCALE_TEST_ARGS="--only outage" (correctness|shared_state|failover|outage|long|throughput).
scale-test: $(MODEL) $(SAFETY) $(NODE)
	bot/install_scaled.sh
	$(PY) -m tests.scale.run $(SCALE_TEST_ARGS)

# Safety on every labelled set (with confusion tables) and the answer key; then a second topic
# model (another seed, 90% of the NLU data) must leave every safety decision unchanged.
eval: $(MODEL) $(SAFETY) $(NODE)
	$(PY) -m pytest -q -s tests/e2e/test_safety_eval.py tests/e2e/test_answer_key.py
	$(PY) -m safety.independence

test: lint unit validate stories e2e

lock:
	@PY310=$$(bot/find_python.sh) && "$$PY310" -m venv build/piptools && build/piptools/bin/pip install -q pip-tools && \
	build/piptools/bin/pip-compile --quiet --no-header --strip-extras -o build/requirements.lock requirements.in && \
	{ echo '# Every package the assistant needs, pinned. Made from requirements.in with pip-tools'; \
	  echo '# (`make lock`); install with `pip install -r requirements.lock`.'; \
	  grep -v -e '^--extra-index-url' -e '^--find-links' -e '^--index-url' build/requirements.lock | sed '/./,$$!d'; } > requirements.lock

clean:
	rm -rf build models results .pytest_cache
