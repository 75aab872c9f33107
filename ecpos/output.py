"""How a headless command reports a failure: the Chinese message on stderr (with what to do at the command line),
the English key in the log, and with --json a JSON answer on stdout. Shared by ecpos/commands.py and ecpos/till.py
(which once imported each other for it)."""
from __future__ import annotations

import sys

from cmdline.options import print_json
from terminal import logs
from terminal.errors import EcposError, PlatformError
from terminal.states import SaleState


# What to do at the command line, added to core messages the screens also show (where a dialog asks instead).
_CLI_HINTS = {
    "refund_no_pin": "：请设置环境变量 ECPOS_SUPERVISOR_PIN，或在终端中运行以输入密码",
    "refund_cashier_pin": "（收银员密码：环境变量 ECPOS_PIN，或在终端中输入）",
    "operator_unknown": "；用 ecpos operator list 查看已有操作员，或用 ecpos operator add 添加",
}


def fail(args, e: EcposError, **extra) -> int:
    """Report an error (JSON on stdout with --json, always the Chinese message on stderr; the key to the log)."""
    if e.key in _CLI_HINTS and not e.message.endswith(_CLI_HINTS[e.key]):
        e.message += _CLI_HINTS[e.key]
    logs.event("command_failed", command=getattr(args, "command", ""), error=e.key, exit_code=e.exit_code)
    if getattr(args, "json", False):
        # unknown: sync resolves it; failed: nothing happened (unreachable, exit 3); refused: exit 4.
        unknown = e.key == "platform_unknown" or getattr(e, "after_send", False)  # sent; its answer not kept
        status = SaleState.UNKNOWN if unknown else {3: SaleState.FAILED, 4: "refused"}.get(e.exit_code, "error")
        print_json({"status": status, "error": e.key, "message": e.message, **extra,
                    **({"code": e.code} if hasattr(e, "code") else {}),
                    **({"msgid": e.msgid, "infno": e.infno} if isinstance(e, PlatformError) else {})})
    print(f"错误：{e.message}\n[{e.key}]{' ' + e.detail if e.detail else ''}", file=sys.stderr)
    return e.exit_code
