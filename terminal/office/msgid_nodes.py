"""Is this till's msgid_node also another till's? Two tills of one institution on the same node (both left
on the default 0) issue the same msgids in the same second, and the platform refuses the second as
"msgid重复" in the middle of a sale. The other tills' journals ([report] other_journals) show their nodes."""
from __future__ import annotations

from terminal.journal.journal import JournalError, JournalView

NODE_AT = 26  # msgid = fixmedins_code (12) + yyyyMMddHHmmss (14) + node (1) + sequence (3)


def clashing_journals(cfg, recent: int = 200) -> list[str]:
    """The other tills' journals whose recent requests carry this till's node."""
    node = str(cfg.institution.msgid_node)
    prefix = cfg.institution.fixmedins_code
    clashes = []
    for p in cfg.report.other_journals:
        path = cfg.data_dir / p
        try:
            view = JournalView(path)
        except JournalError:
            continue  # day close says so; this check only looks for a shared node
        try:
            rows = view.query("SELECT msgid FROM requests ORDER BY rowid DESC LIMIT ?", (recent,))
        finally:
            view.close()
        if any(len(r["msgid"]) == 30 and r["msgid"].startswith(prefix) and r["msgid"][NODE_AT] == node
               for r in rows):
            clashes.append(str(path))
    return clashes


def node_warning(cfg) -> str:
    """What to change, in Chinese, when another till uses this till's msgid_node; empty when none does."""
    clashes = clashing_journals(cfg)
    if not clashes:
        return ""
    return (f"本机 [institution] msgid_node = {cfg.institution.msgid_node} 与另一台收费机相同（{clashes[0]}），"
            "同一秒的交易会被医保平台拒绝为“msgid重复”：请为每台收费机设置不同的 msgid_node（0–9）后重启")
