"""`ecpos` command line: global options, then each layer registers its own commands.

Exit codes (DESIGN.md): 0 done; 2 bad input or usage; 3 platform unreachable (work kept);
4 refused by the platform or the credential service; 1 an internal error (a bug, logged; no traceback shown).
"""
from __future__ import annotations

import argparse
import errno
import importlib
import logging
import os
import sys

from ecpos import __version__
from terminal import logs
from terminal.errors import EcposError

# Each module has register(subparsers); a command's handler is args.func(args) -> int.
# ui.cli imports Qt only when one of its commands runs, so headless commands stay light.
COMMAND_MODULES = ("ecpos.commands", "ecpos.verify", "ecpos.till", "ecpos.held", "ecpos.returns", "simulator.cli",
                   "drivers.cli", "ui.cli", "agent.cli", "fleet.cli", "ecpos.register_cmd")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ecpos", description="医保电子凭证扫码结算终端 ecpos")
    parser.add_argument("--version", action="version", version=f"ecpos {__version__}")
    parser.add_argument("--config", metavar="FILE", help="extra TOML layer (env ECPOS_CONFIG)")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="journal, receipts and logs (env ECPOS_DATA_DIR)")
    parser.add_argument("--center", metavar="URL", help="platform base URL (env ECPOS_CENTER_URL)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:  # a real missing dependency inside the module: say so
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # here, where a reader that left is handled, not at interpreter exit
        return code
    except BrokenPipeError:
        # `ecpos journal | head`: the reader has what it wanted and closed the pipe. Point stdout at
        # /dev/null so the exit-time flush stays quiet (Python's documented recipe, "Note on SIGPIPE").
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except EcposError as e:
        logs.event("command_failed", command=args.command, error=e.key, exit_code=e.exit_code)
        print(f"错误：{e.message}\n[{e.key}]{' ' + e.detail if e.detail else ''}", file=sys.stderr)
        return e.exit_code
    except OSError as e:
        if e.errno not in (errno.ENOSPC, errno.EDQUOT):
            return _internal_error(args, e)
        # A full disk outside the journal (msgid state, receipts): the journal already holds the work.
        logs.event("command_failed", command=args.command, error="disk_full", exit_code=3)
        print(f"错误：磁盘已满（{e.filename or ''}）：本步未完成，已保存的业务不会丢失；清理空间后重试或运行 ecpos sync"
              f"\n[disk_full]", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("已取消 [cancelled]", file=sys.stderr)
        return 130
    except Exception as e:
        return _internal_error(args, e)


def _internal_error(args, e: BaseException) -> int:
    """A bug: the user gets a sentence, the log (when open) gets the traceback."""
    log = logging.getLogger("ecpos")
    if log.handlers:  # without one, logging's last resort would print the traceback on stderr
        log.error("internal_error command=%s", args.command, exc_info=e)
    print(f"错误：程序内部错误，操作未完成；请把这条信息和数据目录中的 ecpos.log 交给信息科\n"
          f"[internal_error] {logs.scrub(f'{type(e).__name__}: {e}')}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
