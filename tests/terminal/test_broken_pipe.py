"""`ecpos journal | head`: the reader closes the pipe early; ecpos ends quietly, without a BrokenPipeError
traceback or an internal-error line (Python docs, "Note on SIGPIPE")."""
from __future__ import annotations

import os
import subprocess
import sys


def test_journal_into_a_closed_pipe_ends_quietly(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECPOS_")}
    r, w = os.pipe()
    os.close(r)  # the reader (head) is already gone: every write fails with EPIPE
    try:
        p = subprocess.run([sys.executable, "-m", "ecpos", "--data-dir", str(tmp_path), "config"],
                           stdout=w, stderr=subprocess.PIPE, text=True, env=env, timeout=60)
    finally:
        os.close(w)
    assert p.returncode == 0, p.stderr
    assert "BrokenPipe" not in p.stderr and "Traceback" not in p.stderr and "internal_error" not in p.stderr
    p = subprocess.run(f"{sys.executable} -m ecpos --data-dir {tmp_path} journal | head -0", shell=True,
                       stderr=subprocess.PIPE, text=True, env=env, timeout=60)
    assert "BrokenPipe" not in p.stderr and "Traceback" not in p.stderr, p.stderr
