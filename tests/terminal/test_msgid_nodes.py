"""Two tills of one institution on the same msgid_node (both left on the default) would issue the same
msgids in the same second: the other tills' journals ([report] other_journals) show it, and the app says
what to change at start instead of failing sales with msgid重复."""
from __future__ import annotations

from terminal import config
from terminal.journal.journal import Journal
from terminal.wire.msgid import MsgIdSource
from terminal.office.msgid_nodes import node_warning


def till(tmp_path, name, node, others=()):
    layer = tmp_path / f"{name}.toml"
    layer.write_text(f"[institution]\nmsgid_node = {node}\n[report]\nother_journals = "
                     + "[" + ", ".join(f'"{p}"' for p in others) + "]\n", encoding="utf-8")
    return config.load(profile="pharmacy", config_file=layer, data_dir=tmp_path / name,
                       center_url="http://127.0.0.1:9", env={})


def sent_one(cfg):
    j = Journal.for_config(cfg)
    try:
        ids = MsgIdSource(cfg.institution.fixmedins_code, cfg.data_dir / "msgid.state",
                          node=cfg.institution.msgid_node)
        j.request_sent({"msgid": ids.next(), "infno": "9001", "input": {}})
    finally:
        j.close()


def test_a_till_on_another_tills_node_is_told_at_start(tmp_path):
    other = till(tmp_path, "till2", 0)
    sent_one(other)
    journal = other.data_dir / "journal.sqlite3"
    same = till(tmp_path, "till1", 0, [str(journal)])
    text = node_warning(same)
    assert "msgid_node = 0" in text and "msgid重复" in text and "不同的 msgid_node" in text
    assert node_warning(till(tmp_path, "till3", 1, [str(journal)])) == ""   # its own node: nothing to say
    assert node_warning(till(tmp_path, "till4", 0)) == ""                    # no other till known
