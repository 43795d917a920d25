# Two commands do all the set-up on a fresh Debian machine:
#   make run    start the appliance (demo library, voice if a microphone exists, typing if not)
#   make test   install everything the tests need and run them
# Every target installs what it needs itself; re-running is cheap (stamp files in .make/).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMPS := .make
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages: audio stack (PulseAudio, PortAudio, ALSA's pulse plugin), mpv, Snapcast (the
# rooms), and the tools the tests use: sox and espeak-ng make speech and music, chromium drives the
# web page, mpc is a real MPD client.
APT_PACKAGES := python3 python3-venv python3-dev build-essential \
	pulseaudio pulseaudio-utils libportaudio2 libasound2-plugins alsa-utils \
	sox libsox-fmt-all espeak-ng ffmpeg libsndfile1 libmpv2 mpv \
	snapserver snapclient chromium chromium-driver mpc

.PHONY: setup run test test-fast fuzz bench lint clean

setup: $(STAMPS)/venv

$(STAMPS)/apt: Makefile
	@mkdir -p $(STAMPS)
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	@touch $@

$(STAMPS)/venv: $(STAMPS)/apt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

run: $(STAMPS)/venv
	$(BIN)/appliance run --fetch-models

# the whole station in process on fakes (tests/fakes.py), no audio device: seconds, not minutes;
# `make test` runs these too
test-fast: $(STAMPS)/venv
	$(BIN)/python -m pytest -q tests/fast

test: $(STAMPS)/venv
	$(BIN)/ruff check appliance tests
	$(BIN)/mypy appliance
	$(BIN)/python -m pytest -q --doctest-modules appliance
	@# compiled once here, so each daemon and command the tests start does not compile it again
	$(BIN)/python -m compileall -q appliance tests > /dev/null
	@# two workers, a module each (its fixtures built once): most tests wait on audio, daemons and
	@# servers rather than use a core, so two at a time on two cores finish in about two thirds
	$(BIN)/python -m pytest -q -n 2 --dist loadscope tests

fuzz: $(STAMPS)/venv
	QFZZ_FUZZ=long $(BIN)/python -m pytest -q tests/fuzz -p no:cacheprovider

bench: $(STAMPS)/venv
	$(BIN)/python -m pytest -q -s tests/benchmarks -o python_files='bench_*.py' -p no:cacheprovider

lint: $(STAMPS)/venv
	$(BIN)/ruff check appliance tests
	$(BIN)/ruff format --check appliance tests
	$(BIN)/mypy appliance

clean:
	rm -rf $(VENV) $(STAMPS) .pytest_cache .ruff_cache .bench
