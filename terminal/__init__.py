"""The core of ecpos: no Qt, no hardware. The faces use the sale's script (checkout.py over the
till's one counter.py; returns.py for part of a sale) and the words every part shares (config,
errors, logs, money, states, codes, masking); the rest is in wings, one folder per thing the core
holds: journal/, wire/, ec/, sale/, office/. Which wing may import which: setup.cfg, contract
core-wings (tools/wings.py made the folders)."""
