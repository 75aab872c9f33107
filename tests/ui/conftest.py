"""UI fixtures: a whole terminal (real Counter against the `sim` fixture, a pty scan box, the window)."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture
def terminal(sim, qtbot, tmp_path):
    """Factory: terminal(profile, lang="zh_CN", **{"section.key": value}) -> a ready demo Director."""
    from ui.demo.director import Director
    made = []

    def make(profile: str = "pharmacy", lang: str = "zh_CN", overrides: dict | None = None):
        d = Director(sim, tmp_path / f"{profile}-{len(made)}", profile, lang, overrides=overrides)
        made.append(d)
        qtbot.waitUntil(lambda: d.ctx.session.counter is not None, timeout=20000)
        qtbot.waitUntil(lambda: d.ctx.till_open, timeout=20000)  # the demo cashier signed in
        qtbot.waitUntil(lambda: d.ctx.scanner.status is not None
                        and d.ctx.scanner.status.state == "connected", timeout=10000)
        return d
    yield make
    for d in made:
        d.close()
