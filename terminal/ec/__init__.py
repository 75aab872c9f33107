"""Credential adapter: one small interface over the vendor library (ctypes / 32-bit bridge) or 1162."""
from terminal.ec.adapter import DEFAULT_BUSINESS_TYPE, Adapter, Trans, make_adapter
from terminal.ec.credential import (Credential, CredentialError, CredentialUnavailable, LibraryLoadError,
                                    parse_answer)

__all__ = ["Adapter", "Credential", "CredentialError", "CredentialUnavailable", "DEFAULT_BUSINESS_TYPE",
           "LibraryLoadError", "Trans", "make_adapter", "parse_answer"]
