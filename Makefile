# Two commands do all the set-up: `make demo` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
# Debian packages a fresh machine lacks (README.md, "Two commands"): zbar for pyzbar, multilib for the 32-bit
# reference library, lib32z1 for msl-loadlib's 32-bit server, xcb bits + xvfb for Qt on a virtual screen,
# a CJK font so Chinese renders in screenshots; PostgreSQL for the fleet tests, chromium + its driver for the
# fleet page's browser test, xdotool to drive a real X window; binutils for PyInstaller (make dist).
APT_PKGS := libzbar0 gcc-multilib lib32z1 xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 \
            libxkbcommon0 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3 fonts-noto-cjk \
            postgresql chromium chromium-driver xdotool binutils

.PHONY: demo test lib screenshots bench dist setup sysdeps clean

demo: setup lib
	$(BIN)/ecpos demo $(ARGS)

test: setup lib
	$(BIN)/lint-imports
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

lib:
	$(MAKE) -C simulator/libec OUT=$(CURDIR)/build

screenshots: setup lib
	$(BIN)/ecpos demo --screenshots docs/screenshots

# dist/ecpos/ (PyInstaller one folder: runs without the venv) and dist/ecpos_<version>_amd64.deb
dist: setup lib
	$(BIN)/python packaging/build.py

bench: setup lib
	for b in credential decode presentation settle agent app cashier catalogue fleet chain; do QT_QPA_PLATFORM=offscreen $(BIN)/python bench/$$b.py || exit 1; done

setup: sysdeps $(STAMP)

sysdeps:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "warning: missing Debian packages (run as root or install):$$missing"; fi; \
	fi

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

clean:
	rm -rf build dist $(VENV) .pytest_cache
