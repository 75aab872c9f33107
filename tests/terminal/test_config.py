from pathlib import Path

import pytest

from terminal import config
from terminal.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "site.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_layers_default_profile_file_env(tmp_path):
    site = write(tmp_path, '[center]\nurl = "http://10.1.1.1:9"\nread_timeout = 20\n')
    cfg = config.load(profile="kiosk", config_file=site, data_dir=tmp_path,
                      env={"ECPOS_GATEWAY_TOKEN": "s3cret"})
    assert cfg.profile == "kiosk"
    assert cfg.operator.opter_type == 2            # from kiosk.toml
    assert cfg.center.url == "http://10.1.1.1:9"   # from --config
    assert cfg.center.read_timeout == 20.0         # integer accepted for a float key
    assert cfg.gateway.token == "s3cret"           # from the environment
    assert cfg.redacted()["gateway"]["token"] == "***"
    assert cfg.sources[-1] == str(site)
    assert cfg.data_dir == tmp_path


def test_env_picks_profile_and_center(tmp_path):
    cfg = config.load(data_dir=tmp_path, env={"ECPOS_PROFILE": "clinic", "ECPOS_CENTER_URL": "http://x:1"})
    assert cfg.profile == "clinic" and cfg.center.url == "http://x:1"
    assert config.load(data_dir=tmp_path, center_url="http://y:2", env={}).center.url == "http://y:2"


@pytest.mark.parametrize("text, words", [
    ('colour = "red"\n', ["site.toml", "colour", "known here"]),
    ('[center]\nurll = "x"\n', ["site.toml", "center.urll"]),
    ('[credential]\nadapter = "dll"\n', ["site.toml", "credential.adapter", "'library'", "'http'"]),
    ('[center]\nread_timeout = "slow"\n', ["site.toml", "center.read_timeout", "a number"]),
    ('[devices]\nsound = 1\n', ["devices.sound", "true/false"]),
    ('center = 3\n', ["center must be a table"]),
    ('[center\n', ["格式错误"]),
])
def test_wrong_key_or_value_names_file_key_and_allowed(tmp_path, text, words):
    with pytest.raises(ConfigError) as e:
        config.load(config_file=write(tmp_path, text), data_dir=tmp_path, env={})
    for w in words:
        assert w in e.value.message


def test_bad_profile_and_bad_env_value(tmp_path):
    with pytest.raises(ConfigError, match="profile 'shop'"):
        config.load(profile="shop", data_dir=tmp_path, env={})
    with pytest.raises(ConfigError, match="ECPOS_CREDENTIAL_ADAPTER"):
        config.load(data_dir=tmp_path, env={"ECPOS_CREDENTIAL_ADAPTER": "dll"})


def test_every_default_key_is_commented():
    """default.toml is the schema; each key carries a comment saying what it does (or its table does)."""
    lines = (config._profiles.DIR / "default.toml").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if "=" in line and not line.startswith("#"):
            above = [l for l in lines[max(0, i - 6):i]]
            assert any(l.startswith("#") or l.startswith("[") for l in above), line


def test_msgid_node_is_a_digit(tmp_path):
    site = write(tmp_path, "[institution]\nmsgid_node = 12\n")
    with pytest.raises(ConfigError, match="institution.msgid_node"):
        config.load(config_file=site, data_dir=tmp_path, env={})


def test_agent_code_wait_is_seconds_0_waits_for_ever_negative_is_refused(tmp_path):
    assert config.load(data_dir=tmp_path, env={}).agent.code_wait == 300.0  # a card terminal's few minutes
    assert config.load(config_file=write(tmp_path, "[agent]\ncode_wait = 0\n"), data_dir=tmp_path,
                       env={}).agent.code_wait == 0.0
    with pytest.raises(ConfigError, match="agent.code_wait") as e:
        config.load(config_file=write(tmp_path, "[agent]\ncode_wait = -5\n"), data_dir=tmp_path, env={})
    assert e.value.key == "config_value"
