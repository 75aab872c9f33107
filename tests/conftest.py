"""Shared fixtures: `sim` (a real `ecpos sim serve` subprocess on a tmp DB) and `make_cfg` (a Config aimed at it)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from simulator.process import SimProcess as Sim
from terminal import config as config_mod

try:
    from hypothesis import settings as _hypothesis
except ImportError:  # the Windows suite's Python may run without it
    _hypothesis = None
if _hypothesis is not None:
    # CI (.ci/run exports CI) runs the property tests' examples fixed, so a green run here predicts a green CI
    # (a random search once found a Wine-only case in CI first); a developer's run keeps searching.
    _hypothesis.register_profile("ci", derandomize=True, database=None)
    _hypothesis.load_profile("ci" if os.environ.get("CI") else "default")

@pytest.fixture(scope="session", autouse=True)
def _witness_state(tmp_path_factory):
    """Each till's witness of its chain head goes to the user's state folder (terminal/journal/tillkeys.witness_dir):
    the session's, not the home of whoever runs the tests; `ecpos` processes started by tests inherit it."""
    saved = os.environ.get("XDG_STATE_HOME")
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("state"))
    yield
    if saved is None:
        os.environ.pop("XDG_STATE_HOME", None)
    else:
        os.environ["XDG_STATE_HOME"] = saved


@pytest.fixture
def cfg(tmp_path):
    """A pharmacy till's configuration with its data in tmp_path and no platform to reach (port 9): for tests
    of the journal, operators and catalogue that never go on the wire. A folder's own `cfg` overrides it."""
    return config_mod.load(profile="pharmacy", data_dir=tmp_path / "d", center_url="http://127.0.0.1:9", env={})


@pytest.fixture(autouse=True)
def _library_environment():
    """The library adapter hands the vendor library its settings through the process environment
    (terminal/ec/adapter.py, setdefault): one test's scan box must not become a later test's."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("NATIONEC_")}
    yield
    for k in [k for k in os.environ if k.startswith("NATIONEC_") and k not in saved]:
        del os.environ[k]
    os.environ.update(saved)


@pytest.fixture(scope="session")
def sim_factory(tmp_path_factory):
    """Factory for extra services with their own DB (e.g. one per module); all stopped at session end."""
    made: list[Sim] = []

    def make(faults: str = "", code_ttl: float | None = None) -> Sim:
        s = Sim(tmp_path_factory.mktemp("sim"), faults=faults, code_ttl=code_ttl).start()
        made.append(s)
        return s
    yield make
    for s in made:
        s.stop()


@pytest.fixture
def sim(tmp_path_factory):
    """A fresh `ecpos sim serve` subprocess on port 0 with its own DB; stopped at teardown."""
    s = Sim(tmp_path_factory.mktemp("sim")).start()
    yield s
    s.stop()


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    s = str(v).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{s}"'


def write_toml(path: Path, overrides: dict) -> Path:
    """Write dotted-key overrides ({"credential.adapter": "http", "profile": "clinic"}) as a TOML layer."""
    top, tables = [], {}
    for key, value in overrides.items():
        section, _, name = key.rpartition(".")
        if section:
            tables.setdefault(section, []).append(f"{name} = {_toml_value(value)}")
        else:
            top.append(f"{name} = {_toml_value(value)}")
    text = "\n".join(top) + "\n" + "".join(f"\n[{s}]\n" + "\n".join(lines) + "\n" for s, lines in tables.items())
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def make_cfg(request, tmp_path_factory):
    """Factory: make_cfg(profile="pharmacy", {"dotted.key": value} or **{"dotted.key": value}) -> Config
    pointed at the `sim` fixture's URL (unless center.url is overridden) with a fresh tmp data dir."""
    tills = iter(range(10))

    def make(profile: str = "pharmacy", overrides: dict | None = None, **kw) -> config_mod.Config:
        over = {**(overrides or {}), **kw}
        # Each data dir is another till of the same institution: give it its own msgid node, as a site
        # would, or two tills could issue the same msgid in the same second.
        over.setdefault("institution.msgid_node", next(tills))
        if "center.url" not in over:
            over["center.url"] = request.getfixturevalue("sim").url
        d = tmp_path_factory.mktemp("ecpos")
        layer = write_toml(d / "override.toml", over)
        env = {k: v for k, v in os.environ.items() if k not in (
            "ECPOS_CONFIG", "ECPOS_DATA_DIR", "ECPOS_CENTER_URL", "ECPOS_PROFILE")}
        return config_mod.load(profile=profile, config_file=layer, data_dir=d / "data", env=env)
    return make


@pytest.fixture
def browser():
    """Debian's chromium, headless, driven by selenium (the fleet page, a browser-based HIS calling the agent)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,900",
                "--disable-gpu"):
        opts.add_argument(arg)
    drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    drv.set_page_load_timeout(30)
    yield drv
    drv.quit()
