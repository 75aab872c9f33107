"""Driver commands: `ecpos decode IMAGE...` (one JSON line per image)."""
from __future__ import annotations

import argparse
import json
import sys


def cmd_decode(args: argparse.Namespace) -> int:
    """Print {"image": PATH, "codes": [...]} per image; exit 2 if an image cannot be read."""
    # why: OpenCV and zxing-cpp (~0.45 s) load only for `ecpos decode` (every command imports this module)
    from drivers.decoders import DecoderChain, decode_file
    chain = DecoderChain()
    status = 0
    for path in args.images:
        codes = decode_file(path, chain)
        if codes is None:
            print(f"错误：无法读取图片 {path}（文件不存在或不是图片）[image_unreadable]", file=sys.stderr)
            status = 2
        print(json.dumps({"image": path, "codes": codes or []}, ensure_ascii=False), flush=True)
    return status


def register(sub) -> None:
    p = sub.add_parser("decode", help="decode QR codes in image files (one JSON line per image)")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p.set_defaults(func=cmd_decode)
