"""What Wine 8 lacks that Windows has, patched into the Windows Python set up for tests (imported by
wine_compat.pth, put in site-packages by packaging/windows/winenv.py; never shipped)."""
import _winapi
import ctypes

# shutil.copyfile takes CopyFile2 when _winapi has it; Wine's kernel32 has no CopyFile2: CopyFileEx instead
if hasattr(_winapi, "CopyFile2"):
    delattr(_winapi, "CopyFile2")

# pyserial's list_ports_windows binds cfgmgr32.CM_MapCrToWin32Err at import (Windows 8+); Wine's cfgmgr32
# lacks it. It maps a CONFIGRET to a Win32 error, the caller's default for codes it does not know.
_CM_MAP = ctypes.WINFUNCTYPE(ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong)(lambda cr, default: 0 if cr == 0 else default)
_getattr = ctypes.CDLL.__getattr__


def _cdll_getattr(self, name):
    try:
        return _getattr(self, name)
    except AttributeError:
        if name == "CM_MapCrToWin32Err" and "cfgmgr32" in str(self._name).lower():
            return _CM_MAP
        raise


ctypes.CDLL.__getattr__ = _cdll_getattr

# Qt's offscreen platform looks for fonts in one folder only, and on Windows reads .ttf but not the .ttc CJK
# collections: winenv.py fills build/win/fonts with Linux .ttf fonts (Wine passes no QT_* variable from Linux)
import os  # noqa: E402
import sys  # noqa: E402

_FONTS = os.path.join(os.path.dirname(sys.prefix), "fonts")
if os.path.isdir(_FONTS):
    os.environ.setdefault("QT_QPA_FONTDIR", _FONTS)
