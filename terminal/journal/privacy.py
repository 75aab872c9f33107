"""Owner-only files: mode 0600 (folders 0700) on POSIX; on Windows, where modes mean nothing, an explicit
protected ACL granting full control to this account and the Administrators group only (no inherited
entries, so a folder under ProgramData or a shared drive does not open it to Users)."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def restrict(path: str | os.PathLike, folder: bool = False) -> None:
    """Make path (a file, or a folder and what is created in it later) private to this account."""
    if sys.platform == "win32":
        _owner_only_acl(str(path), folder)
    else:
        os.chmod(path, 0o700 if folder else 0o600)


def restrict_database(path: str | os.PathLike) -> None:
    """A SQLite database and the -wal/-shm files beside it private to this account (on Windows they take
    their folder's ACL, not the database's, so each is set)."""
    for p in (Path(path), Path(f"{path}-wal"), Path(f"{path}-shm")):
        if p.exists():
            restrict(p)


if sys.platform == "win32":
    import ctypes
    from ctypes import wintypes

    _advapi32 = ctypes.WinDLL("advapi32", use_last_error=True)
    _kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)

    class _Trustee(ctypes.Structure):
        _fields_ = [("pMultipleTrustee", ctypes.c_void_p), ("MultipleTrusteeOperation", ctypes.c_int),
                    ("TrusteeForm", ctypes.c_int), ("TrusteeType", ctypes.c_int), ("ptstrName", ctypes.c_void_p)]

    class _ExplicitAccess(ctypes.Structure):
        _fields_ = [("grfAccessPermissions", wintypes.DWORD), ("grfAccessMode", ctypes.c_int),
                    ("grfInheritance", wintypes.DWORD), ("Trustee", _Trustee)]

    _P, _DW = ctypes.c_void_p, wintypes.DWORD
    for _fn, _args, _res in (
            (_kernel32.GetCurrentProcess, [], wintypes.HANDLE),
            (_kernel32.CloseHandle, [wintypes.HANDLE], wintypes.BOOL),
            (_kernel32.LocalFree, [_P], _P),
            (_advapi32.OpenProcessToken, [wintypes.HANDLE, _DW, ctypes.POINTER(wintypes.HANDLE)], wintypes.BOOL),
            (_advapi32.GetTokenInformation, [wintypes.HANDLE, ctypes.c_int, _P, _DW, ctypes.POINTER(_DW)],
             wintypes.BOOL),
            (_advapi32.GetLengthSid, [_P], _DW),
            (_advapi32.CopySid, [_DW, _P, _P], wintypes.BOOL),
            (_advapi32.CreateWellKnownSid, [ctypes.c_int, _P, _P, ctypes.POINTER(_DW)], wintypes.BOOL),
            (_advapi32.SetEntriesInAclW, [wintypes.ULONG, _P, _P, ctypes.POINTER(_P)], _DW),
            (_advapi32.SetNamedSecurityInfoW, [wintypes.LPWSTR, ctypes.c_int, _DW, _P, _P, _P, _P], _DW)):
        _fn.argtypes, _fn.restype = _args, _res

    _GENERIC_ALL, _SET_ACCESS, _TRUSTEE_IS_SID = 0x10000000, 2, 0
    _TRUSTEE_IS_USER, _TRUSTEE_IS_WELL_KNOWN_GROUP = 1, 5
    _SUB_CONTAINERS_AND_OBJECTS_INHERIT = 3
    _SE_FILE_OBJECT, _DACL_SECURITY_INFORMATION, _PROTECTED_DACL = 1, 0x4, 0x80000000
    _TOKEN_QUERY, _TOKEN_USER, _WIN_BUILTIN_ADMINISTRATORS_SID = 0x0008, 1, 26

    def _check(ok, what: str) -> None:
        if not ok:
            raise ctypes.WinError(ctypes.get_last_error(), f"{what} failed")

    def _user_sid() -> ctypes.Array:
        """This process's account SID (a copy: the token buffer is freed with the handle)."""
        token = wintypes.HANDLE()
        _check(_advapi32.OpenProcessToken(_kernel32.GetCurrentProcess(), _TOKEN_QUERY, ctypes.byref(token)),
               "OpenProcessToken")
        try:
            size = wintypes.DWORD()
            _advapi32.GetTokenInformation(token, _TOKEN_USER, None, 0, ctypes.byref(size))
            buf = ctypes.create_string_buffer(size.value)
            _check(_advapi32.GetTokenInformation(token, _TOKEN_USER, buf, size, ctypes.byref(size)),
                   "GetTokenInformation")
            sid = ctypes.c_void_p.from_buffer(buf).value  # TOKEN_USER.User.Sid
            copy = ctypes.create_string_buffer(_advapi32.GetLengthSid(sid))
            _check(_advapi32.CopySid(len(copy), copy, sid), "CopySid")
            return copy
        finally:
            _kernel32.CloseHandle(token)

    def _admins_sid() -> ctypes.Array:
        size = wintypes.DWORD(68)  # SECURITY_MAX_SID_SIZE
        sid = ctypes.create_string_buffer(size.value)
        _check(_advapi32.CreateWellKnownSid(_WIN_BUILTIN_ADMINISTRATORS_SID, None, sid, ctypes.byref(size)),
               "CreateWellKnownSid")
        return sid

    def owner_only_dacl(folder: bool) -> ctypes.c_void_p:
        """The DACL restrict() sets: full control for this account and Administrators, inherited by what a
        folder holds. The caller frees it with LocalFree."""
        sids = [(_user_sid(), _TRUSTEE_IS_USER), (_admins_sid(), _TRUSTEE_IS_WELL_KNOWN_GROUP)]
        entries = (_ExplicitAccess * 2)()
        for e, (sid, kind) in zip(entries, sids):
            e.grfAccessPermissions, e.grfAccessMode = _GENERIC_ALL, _SET_ACCESS
            e.grfInheritance = _SUB_CONTAINERS_AND_OBJECTS_INHERIT if folder else 0
            e.Trustee.TrusteeForm, e.Trustee.TrusteeType = _TRUSTEE_IS_SID, kind
            e.Trustee.ptstrName = ctypes.addressof(sid)
        acl = ctypes.c_void_p()
        err = _advapi32.SetEntriesInAclW(2, ctypes.addressof(entries), None, ctypes.byref(acl))
        if err:
            raise ctypes.WinError(err, "SetEntriesInAclW failed")
        return acl

    def _owner_only_acl(path: str, folder: bool) -> None:
        acl = owner_only_dacl(folder)
        try:
            err = _advapi32.SetNamedSecurityInfoW(str(Path(path).resolve()), _SE_FILE_OBJECT,
                                                  _DACL_SECURITY_INFORMATION | _PROTECTED_DACL, None, None, acl, None)
            if err:
                raise ctypes.WinError(err, f"SetNamedSecurityInfoW({path}) failed")
        finally:
            _kernel32.LocalFree(acl)
