"""The agent's bearer token: ECPOS_AGENT_TOKEN, else a file (0600) made with a fresh token at first start."""
from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

import platformdirs

from terminal.errors import ConfigError

ENV = "ECPOS_AGENT_TOKEN"


def token_path(cfg) -> Path:
    """[agent] token_file, or agent.token in the user's config directory."""
    if cfg.agent.token_file:
        return Path(cfg.agent.token_file).expanduser()
    return Path(platformdirs.user_config_dir("ecpos", appauthor=False)) / "agent.token"


def load_token(cfg, env=None) -> str:
    """The token callers must send as `Authorization: Bearer <token>`; made (0600) on first start."""
    env = os.environ if env is None else env
    if env.get(ENV, "").strip():
        return env[ENV].strip()
    path = token_path(cfg)
    try:
        if path.is_file():
            token = path.read_text(encoding="utf-8").strip()
            if token:
                return token
        path.parent.mkdir(parents=True, exist_ok=True)
        token = secrets.token_urlsafe(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(token + "\n")
        os.chmod(path, 0o600)
        return token
    except OSError as e:
        raise ConfigError(f"无法读写接口令牌文件：{path}（{e.strerror or e}）；请设置 [agent] token_file 为可写路径，"
                          f"或设置环境变量 {ENV}", key="agent_token_file") from None


def same(given: str, token: str) -> bool:
    """Constant-time comparison of a presented token with ours."""
    return hmac.compare_digest(given.encode(), token.encode())
