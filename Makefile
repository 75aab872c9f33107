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
# Only for the Windows targets (windows-smoke, test-windows, dist's setup.exe), so `make test` needs none: Wine
# (64-bit; wine32:i386 is tried by test-windows), mingw-w64 for NationECCode.dll in both bitnesses and the
# Wine shims, NSIS for setup.exe, locales for localedef (a zh_CN locale under build/win: code page 936), .ttf
# fonts Qt reads under Wine (Latin, CJK).
WIN_APT_PKGS := wine wine64 gcc-mingw-w64-x86-64 gcc-mingw-w64-i686 nsis locales fonts-dejavu-core fonts-droid-fallback

.PHONY: demo test lib screenshots bench dist setup sysdeps clean windows-deps windows-deps32 windows-smoke test-windows

demo: setup lib
	$(BIN)/ecpos demo $(ARGS)

test: setup lib
	$(BIN)/lint-imports
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

lib:
	$(MAKE) -C simulator/libec OUT=$(CURDIR)/build

screenshots: setup lib
	$(BIN)/ecpos demo --screenshots docs/screenshots

# dist/ecpos/ (PyInstaller one folder: runs without the venv) and dist/ecpos_<version>_amd64.deb; then the
# Windows setup.exe (NSIS over an embedded-Python layout), checked by installing it silently under Wine,
# running ecpos --version and ecpos demo --headless from the installed place, and uninstalling it
dist: setup lib windows-deps
	$(BIN)/python packaging/build.py
	$(MAKE) lib
	$(BIN)/python packaging/windows/installer.py build
	$(BIN)/python packaging/windows/installer.py check

bench: setup lib
	for b in credential decode presentation settle agent app cashier catalogue fleet chain; do QT_QPA_PLATFORM=offscreen $(BIN)/python bench/$$b.py || exit 1; done

setup: sysdeps $(STAMP)

# `make windows-smoke`: ecpos verify under the Windows Python (Wine) with the x64 DLL, against the reference
# service here; `make test-windows`: the curated Windows suite (packaging/windows/suite.py). Both set up Wine and
# the Windows Python under build/ on first use (packaging/windows/winenv.py: a few minutes; rm -rf build/win*
# starts over).
windows-smoke: setup windows-deps
	$(MAKE) lib
	$(BIN)/python packaging/windows/smoke.py

test-windows: setup windows-deps
	$(MAKE) lib
	$(BIN)/python packaging/windows/suite.py

windows-deps:
	@$(MAKE) --no-print-directory sysdeps APT_PKGS="$(WIN_APT_PKGS)"

# 32-bit Windows under Wine (the bridge's server32-windows.exe): Debian's wine32:i386. When apt cannot install it
# (a mirror mid-sync gives "breaks"), the i386 architecture is taken away again so later apt runs stay clean.
windows-deps32: windows-deps
	@dpkg -s wine32:i386 >/dev/null 2>&1 || { \
	  dpkg --add-architecture i386 && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-remove wine32:i386 >/dev/null; } || { \
	  echo "wine32:i386 could not be installed: the 32-bit Windows parts will be skipped"; \
	  dpkg --remove-architecture i386; apt-get update -qq; }

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
