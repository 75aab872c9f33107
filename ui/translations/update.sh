#!/bin/sh
# Re-extract the UI strings (Chinese source) into ecpos_en.ts, then compile the .qm the app loads.
# Translate new entries with pyside6-linguist (or by editing the .ts) between the two steps.
set -e
cd "$(dirname "$0")/../.."
BIN=.venv/bin
FILES=$(ls ui/*.py ui/views/*.py ui/widgets/*.py ui/demo/*.py | grep -v qt_wedge)
$BIN/pyside6-lupdate $FILES -source-language zh_CN -target-language en -no-obsolete -ts ui/translations/ecpos_en.ts
$BIN/pyside6-lrelease ui/translations/ecpos_en.ts -qm ui/translations/ecpos_en.qm
