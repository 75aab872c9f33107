"""The .deb makes every folder its services write, for the account they run as: the kiosk service runs as
`ecpos` with its data in /var/lib/ecpos, and its journal chain's key and head go beside it
(terminal/journal/tillkeys.default_dir), a folder in /var/lib that account cannot create by itself."""
from __future__ import annotations

import re
from pathlib import Path

from terminal.journal.tillkeys import default_dir

DEB = Path(__file__).resolve().parents[2] / "packaging" / "deb"


def test_postinst_makes_the_kiosk_data_and_key_folders_for_its_account():
    unit = (DEB / "systemd" / "ecpos-kiosk.service").read_text(encoding="utf-8")
    user = re.search(r"^User=(\S+)", unit, re.M).group(1)
    data = Path(re.search(r"^Environment=ECPOS_DATA_DIR=(\S+)", unit, re.M).group(1))
    made = re.findall(r"install -d -o (\S+) -g \S+ -m 0700 (\S+)", (DEB / "postinst").read_text(encoding="utf-8"))
    assert (user, str(data)) in made
    assert (user, str(default_dir(data))) in made
