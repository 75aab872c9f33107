"""TOML profiles shipped with ecpos: default.toml (every key, commented) and one file per profile."""
from pathlib import Path

DIR = Path(__file__).resolve().parent
PROFILES = ("pharmacy", "clinic", "kiosk")
