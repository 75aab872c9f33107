"""A PIN for a headless command: from an environment variable (scripts, ECPOS_PIN, ECPOS_SUPERVISOR_PIN, ...), else
typed at a no-echo prompt; never from a command-line flag (it would stay in the shell's history and `ps`)."""
from __future__ import annotations

import getpass
import os
import sys

from terminal.errors import OperatorError


def pin_from_env_or_prompt(env_var: str, prompt: str) -> str:
    """The PIN in `env_var`, else one typed at a no-echo prompt; OperatorError (pin_missing) with no terminal
    to type it on."""
    pin = os.environ.get(env_var)
    if pin is not None:
        return pin
    if not sys.stdin.isatty():
        raise OperatorError(f"需要密码：请设置 {env_var} 或在终端中输入", key="pin_missing")
    return getpass.getpass(prompt)
