"""Bitness of a shared library read from its header (ELF, PE, Mach-O), and of this interpreter."""
from __future__ import annotations

import struct
from pathlib import Path

_PE_MACHINES = {0x014C: 32, 0x8664: 64, 0xAA64: 64, 0x01C4: 32}
_MACHO = {b"\xfe\xed\xfa\xce": 32, b"\xce\xfa\xed\xfe": 32, b"\xfe\xed\xfa\xcf": 64, b"\xcf\xfa\xed\xfe": 64}


class NotALibrary(ValueError):
    """The file is not a shared library this code can read the bitness of."""


def interpreter_bits() -> int:
    """32 or 64: the bitness of the running Python."""
    return struct.calcsize("P") * 8


def library_bits(path: str | Path) -> int:
    """32 or 64 from the file's header; NotALibrary when the header is not ELF, PE or Mach-O."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:4] == b"\x7fELF" and len(head) > 4:
            if head[4] in (1, 2):  # EI_CLASS: ELFCLASS32 / ELFCLASS64
                return 32 if head[4] == 1 else 64
            raise NotALibrary(f"{path}: unknown ELF class {head[4]}")
        if head[:4] in _MACHO:
            return _MACHO[head[:4]]
        if head[:2] == b"MZ" and len(head) >= 0x40:
            (pe_at,) = struct.unpack_from("<I", head, 0x3C)
            f.seek(pe_at)
            pe = f.read(6)
            if len(pe) == 6 and pe[:4] == b"PE\0\0":
                (machine,) = struct.unpack_from("<H", pe, 4)
                if machine in _PE_MACHINES:
                    return _PE_MACHINES[machine]
                raise NotALibrary(f"{path}: unknown PE machine 0x{machine:04x}")
    raise NotALibrary(f"{path}: not an ELF, PE or Mach-O library")
