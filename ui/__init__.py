"""PySide6 user interface: the cashier app for the three profiles, dialogs, translations.

PySide6 6.12 on Python < 3.12 drops one reference to True on every Python-side Signal.emit(); after a few
hundred emits the interpreter aborts ("bool_dealloc: deallocating True or False"). Python 3.12 made True
and False immortal; we do the same here (add 2**40 references once), which is all the fix needs: the
bool singletons are never freed anyway. Done at package import so every Qt module in ui/ is covered.
"""
import sys

if sys.version_info < (3, 12):
    import ctypes

    for _singleton in (True, False):
        ctypes.c_ssize_t.from_address(id(_singleton)).value += 1 << 40
    del _singleton
