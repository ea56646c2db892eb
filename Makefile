# Two commands for a fresh machine: `make run` and `make test` (README).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.requirements-installed
# Two test processes, one per core: each has a database and a Celery queue of its own (tests/conftest.py).
PYTEST_ARGS ?= -n 2
# Debian packages: WeasyPrint (Pango, HarfBuzz subsetting), the CJK font for PDFs, gettext for
# translations, poppler-utils (pdffonts/pdftotext in tests), Chromium for browser tests.
DEB_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk gettext poppler-utils chromium
MAKEMESSAGES := makemessages -l zh_Hans --no-obsolete --no-wrap --no-location -i ".venv/*" -i "tests/*" -i "bench/*" -i "staticfiles/*" -i "media/*"

.PHONY: run test test-dates bench system-deps venv messages compilemessages migrate demo worker lint clean

run: system-deps venv compilemessages migrate demo
	@if [ -n "$$CELERY_BROKER_URL" ]; then \
	  echo "Starting a Celery worker beside the portal (broker $$CELERY_BROKER_URL)"; \
	  $(VENV)/bin/celery -A pojian worker -B --loglevel=INFO --concurrency=2 & \
	fi; \
	echo "Portal at http://127.0.0.1:8000  (demo users: office, bureau-220100, county-220112, expert-1, partner-1; password $${DEMO_PASSWORD:-pojian-demo})"; \
	echo "Demo: two-factor sign-in is optional for everyone (POJIAN_OTP_REQUIRED=$${POJIAN_OTP_REQUIRED:-false}); production requires it for the office"; \
	POJIAN_OTP_REQUIRED=$${POJIAN_OTP_REQUIRED:-false} DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py runserver 127.0.0.1:8000

test: system-deps venv compilemessages
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# The suite (without the browser tests) with the clock on days where calendar bugs hide (2026-12-05: a Saturday).
TEST_DATES ?= 2026-12-01 2026-12-05 2026-12-31 2027-01-01 2028-02-29
test-dates: system-deps venv compilemessages
	for d in $(TEST_DATES); do echo "== $$d"; POJIAN_TEST_TODAY=$$d $(VENV)/bin/pytest -q --ignore=tests/browser $(PYTEST_ARGS) || exit 1; done

bench: system-deps venv compilemessages
	$(PY) -m bench $(BENCH_ARGS)

system-deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

venv: $(STAMP)

$(STAMP): requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $(STAMP)

messages: venv
	$(PY) manage.py $(MAKEMESSAGES)

compilemessages: venv
	$(PY) manage.py compilemessages -v0 -i .venv

migrate: venv
	$(PY) manage.py migrate --noinput -v0

demo: venv
	$(PY) manage.py seed_demo

worker: venv
	$(VENV)/bin/celery -A pojian worker -B --loglevel=INFO

lint: venv
	$(VENV)/bin/ruff check .
