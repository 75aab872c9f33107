"""The parts every asking dialog and page has: the red line that says what was wrong, and OK / Cancel."""
from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QLabel


def error_label(name: str = "pinError") -> QLabel:
    """Empty until something is refused; wraps, so a long reason never widens the dialog."""
    label = QLabel()
    label.setObjectName(name)
    label.setStyleSheet("color: #c62828; font-weight: bold;")
    label.setWordWrap(True)
    return label


def ok_cancel(dialog, on_ok) -> QDialogButtonBox:
    """OK runs `on_ok` (which accepts, or says why not); Cancel rejects."""
    buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(dialog.reject)
    return buttons
