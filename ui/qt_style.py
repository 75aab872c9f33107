"""The app's style sheet: light, high-contrast, state colours on the scan prompt and status pills."""
from __future__ import annotations

BLUE, GREEN, RED, AMBER, GREY = "#1459c7", "#1a7f37", "#c62828", "#b26a00", "#5f6b7a"


def style_sheet(base_pt: int = 11, kiosk: bool = False) -> str:
    """Qt style sheet; `kiosk` raises sizes so every touch target is at least 48 px."""
    big = base_pt + (10 if kiosk else 8)
    touch = 64 if kiosk else 40
    return f"""
QWidget {{ font-size: {base_pt}pt; }}
QMainWindow, QDialog {{ background: #f4f6f9; }}
QTabBar::tab {{ padding: 8px 18px; min-height: 28px; }}
QTabBar::tab:selected {{ color: {BLUE}; font-weight: bold; border-bottom: 3px solid {BLUE}; }}
QPushButton {{ min-height: {touch}px; padding: 4px 12px; border: 1px solid #c5ccd6; border-radius: 6px;
  background: #ffffff; }}
QPushButton:hover {{ border-color: {BLUE}; }}
QPushButton:disabled {{ color: #a0a8b3; background: #eef0f3; }}
QPushButton#primary, QPushButton#kioskPrimary {{ background: {BLUE}; color: white; font-weight: bold;
  border: none; }}
QPushButton#primary:disabled, QPushButton#kioskPrimary:disabled {{ background: #9db6e0; }}
QPushButton#quickItem {{ text-align: left; }}
QFrame#patientCard, QFrame#splitPanel, QFrame#activationGuide, QFrame#panel {{ background: white;
  border: 1px solid #d9dee5; border-radius: 8px; }}
QLabel#cardTitle, QLabel#pageTitle {{ font-size: {base_pt + 3}pt; font-weight: bold; color: {BLUE}; }}
QLabel#patientName {{ font-size: {base_pt + 6}pt; font-weight: bold; }}
QLabel#balance {{ font-weight: bold; color: {GREEN}; }}
QLabel#familyNote {{ color: {AMBER}; font-weight: bold; }}
QLabel#scanPrompt {{ font-size: {big}pt; font-weight: bold; padding: {14 if kiosk else 10}px; border-radius: 8px;
  background: #e8f0fd; color: {BLUE}; }}
QLabel#scanPrompt[state="busy"] {{ background: #fff4e0; color: {AMBER}; }}
QLabel#scanPrompt[state="ok"] {{ background: #e6f4ea; color: {GREEN}; }}
QLabel#scanPrompt[state="error"] {{ background: #fdecea; color: {RED}; font-size: {base_pt + 4}pt; }}
QLabel#splitTitle {{ color: {GREY}; font-size: {base_pt + 2}pt; }}
QLabel#splitValue {{ color: #1d2733; }}
QLabel#splitCash {{ color: {RED}; }}
QLabel#splitNote {{ color: {BLUE}; }}
QLabel#guideHeadline {{ font-size: {base_pt + 6}pt; font-weight: bold; color: {RED}; }}
QLabel#guideChannel {{ font-weight: bold; color: {BLUE}; padding-right: 8px; }}
QLabel#guideSlogan {{ font-size: {base_pt + 4}pt; font-weight: bold; color: {GREEN}; padding: 6px; }}
QLabel#guideFamily {{ color: {AMBER}; }}
QFrame#activationGuide[large="true"] QLabel#guideSteps, QFrame#activationGuide[large="true"] QLabel#guideChannel,
QFrame#activationGuide[large="true"] QLabel#guideFamily, QFrame#activationGuide[large="true"] QLabel#guideReason
  {{ font-size: {base_pt + 3}pt; }}
QLabel#statusPill {{ padding: 2px 10px; border-radius: 9px; background: #e9ecf0; color: {GREY}; }}
QLabel#statusPill[state="ok"] {{ background: #e6f4ea; color: {GREEN}; }}
QLabel#statusPill[state="warn"] {{ background: #fff4e0; color: {AMBER}; }}
QLabel#statusPill[state="bad"] {{ background: #fdecea; color: {RED}; }}
QLabel#messageBar {{ padding: 6px 12px; border-radius: 6px; background: #e8f0fd; color: {BLUE}; }}
QLabel#messageBar[level="ok"] {{ background: #e6f4ea; color: {GREEN}; }}
QLabel#messageBar[level="error"] {{ background: #fdecea; color: {RED}; font-weight: bold; }}
QLabel#kioskTitle {{ font-size: {base_pt + 14}pt; font-weight: bold; color: {BLUE}; }}
QLabel#kioskText {{ font-size: {base_pt + 5}pt; }}
QLabel#kioskPaused {{ font-size: {base_pt + 10}pt; font-weight: bold; color: {RED}; padding: 12px;
  background: #fdecea; border-radius: 8px; }}
QLabel#kioskCountdown {{ font-size: {base_pt + 2}pt; color: #5f6368; background: #fff8e1; padding: 4px 12px;
  border-radius: 6px; }}
QLineEdit, QComboBox, QSpinBox {{ min-height: {32 if not kiosk else 56}px; padding: 2px 6px; }}
QTableWidget {{ background: white; gridline-color: #e3e7ec; }}
QHeaderView::section {{ background: #eef1f5; padding: 4px; border: none; }}
"""
