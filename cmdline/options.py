"""What every `ecpos` command shares: its configuration from the global options, JSON output.
The commands themselves are registered in ecpos/ (the composition root)."""
from __future__ import annotations

import argparse
import json

from terminal import config as config_mod, logs
from terminal.errors import ConfigError


def load_config(args: argparse.Namespace, profile: str | None = None, *,
                prepare: bool = True) -> config_mod.Config:
    """The effective configuration for a command, from the global options; with `prepare`, the data
    directory is created and the command's events go to its log file (ecpos.log)."""
    cfg = config_mod.load(profile=profile or getattr(args, "profile", None), config_file=args.config,
                          data_dir=args.data_dir, center_url=args.center)
    if prepare:
        try:
            logs.private_dir(cfg.data_dir)
            logs.to_file(cfg.data_dir / "ecpos.log")
        except OSError as e:
            raise ConfigError(f"数据目录无法使用：{cfg.data_dir}（{e.strerror or e}）；请用 --data-dir（或环境变量 "
                              f"ECPOS_DATA_DIR）指定一个可写的目录", key="data_dir_unusable") from None
    return cfg


def print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=logs.json_default))
