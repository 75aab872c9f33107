"""A module-scoped service shared by tests that need no fresh DB, a config for it and a signed-in client.

The config (and so the msgid state file) is module-scoped too: msgids are unique per institution only
within one state file, and the shared service treats a repeated msgid as a retry.
"""
import pytest

from terminal import config as config_mod
from tests.simulator.helpers import signed_in


@pytest.fixture(scope="module")
def shared_sim(sim_factory):
    s = sim_factory()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def cfg(shared_sim, tmp_path_factory):
    d = tmp_path_factory.mktemp("ecpos")
    layer = d / "override.toml"
    layer.write_text(f'[center]\nurl = "{shared_sim.url}"\n', encoding="utf-8")
    return config_mod.load(profile="pharmacy", config_file=layer, data_dir=d / "data", env={})


@pytest.fixture
def pc(cfg):
    return signed_in(cfg)
