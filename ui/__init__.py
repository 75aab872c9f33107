"""PySide6 user interface: the cashier app for the three profiles, dialogs, translations.

PySide6 6.12 assumes Python 3.12's immortal singletons: on Python 3.11 every void Qt call (setText,
setEnabled, ...) drops a reference to None, and every Signal.emit() one to True, so a running app aborts
after a few thousand calls ("none_dealloc" / "bool_dealloc: deallocating ..."). We make those singletons
immortal the way 3.12 does (a huge reference count, set once at package import): they are never freed
anyway, so the extra references cost nothing. Every module under ui/ imports this package first.
"""
import sys

if sys.version_info < (3, 12):
    import ctypes

    for _singleton in (None, True, False, Ellipsis, NotImplemented, (), ""):
        ctypes.c_ssize_t.from_address(id(_singleton)).value += 1 << 40
    del _singleton
