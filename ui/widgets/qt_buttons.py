"""Buttons that carry their keyboard shortcut in their label (keyboard-first counter)."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QPushButton, QWidget


class ShortcutButton(QPushButton):
    """A push button whose shortcut (F-key, Enter, Esc...) is shown on it and works window-wide."""

    def __init__(self, text: str, key: str, slot: Callable[[], None], parent: QWidget,
                 extra_keys: tuple[str, ...] = ()):
        super().__init__(parent)
        self.key = key
        self.base_text = text
        self.setText(f"{text}  [{key}]" if key else text)
        self.setMinimumHeight(40)
        self.setFocusPolicy(Qt.NoFocus)  # keys go to the scan/item fields, never to a button
        self.clicked.connect(slot)
        self.shortcuts: list[QShortcut] = []
        for k in (key, *extra_keys):
            if not k:
                continue
            sc = QShortcut(QKeySequence(k), parent)
            sc.setContext(Qt.WindowShortcut)
            sc.activated.connect(self._activate)
            self.shortcuts.append(sc)

    def _activate(self) -> None:
        if self.isEnabled() and self.isVisible():
            self.click()


def money_text(amount) -> str:
    """Yuan with two places and the ¥ sign; '—' when unknown."""
    if amount is None or amount == "":
        return "—"
    return f"¥{amount:,.2f}" if not isinstance(amount, str) else f"¥{amount}"
