"""Language: Chinese (zh_CN) is the source language of every UI string; English comes from ecpos_en.qm.

Strings are written in Chinese with self.tr()/QCoreApplication.translate(), extracted by pyside6-lupdate into
ui/translations/ecpos_en.ts and compiled by pyside6-lrelease into ecpos_en.qm (committed). Qt's own
dialog buttons follow through qtbase_zh_CN.qm shipped with PySide6.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase

LANGUAGES = {"zh_CN": "中文", "en": "English"}
DIR = Path(__file__).resolve().parent / "translations"
_installed: list[QTranslator] = []
_current = ["zh_CN"]

# Preferred CJK UI fonts, first found wins (fonts-noto-cjk on Debian, YaHei on Windows).
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "WenQuanYi Micro Hei",
                "PingFang SC")


def current() -> str:
    """The language code in use."""
    return _current[0]


def set_language(lang: str) -> str:
    """Install the translators for `lang` (zh_CN or en); returns the language actually in use."""
    app = QCoreApplication.instance()
    for t in _installed:
        app.removeTranslator(t)
    _installed.clear()
    lang = lang if lang in LANGUAGES else "zh_CN"
    if lang == "en":
        t = QTranslator()
        if t.load(str(DIR / "ecpos_en.qm")):
            app.installTranslator(t)
            _installed.append(t)
    else:
        t = QTranslator()
        if t.load(QLocale(QLocale.Chinese, QLocale.China), "qtbase", "_",
                  QLibraryInfo.path(QLibraryInfo.TranslationsPath)):
            app.installTranslator(t)
            _installed.append(t)
    _current[0] = lang
    return lang


def cjk_font(point_size: int = 11) -> QFont:
    """The application font: a CJK family when one is installed, so Chinese never shows as boxes."""
    families = set(QFontDatabase.families())
    for fam in CJK_FAMILIES:
        if fam in families:
            f = QFont(fam, point_size)
            return f
    return QFont(QFont().family(), point_size)
