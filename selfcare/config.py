"""Configuration: defaults, then SELFCARE_* environment variables, then explicit overrides."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Mapping

ENV_PREFIX = "SELFCARE_"

DEFAULTS: dict[str, Any] = {
    "INSTANCE_PATH": None,  # None: the "instance" folder next to the package (secret key, SQLite file)
    "DATABASE_URL": None,  # None: an SQLite file in the instance folder
    "SECRET_KEY": None,  # None: generated once and kept in the instance folder
    "CONTENT_DIR": None,  # None: content/ next to the package, else ./content (see content_dir())
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "HTTPS": False,  # served over HTTPS: Secure cookies, https:// links (HSTS follows each request's scheme)
    "TRUSTED_PROXIES": 0,  # proxies in front whose X-Forwarded-For/-Proto/-Host are believed (nginx: 1)
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    "DB_POOL_SIZE": 8,
    "RATELIMIT_ENABLED": True,  # false: no rate limits at all (see selfcare/limits.py)
    "RATELIMIT_STORAGE_URI": "memory://",  # one process; redis://host:6379 shares counters (needs `pip install redis`)
    "MAIL_BACKEND": "console",  # console: printed to stderr for a developer; smtp: sent; memory: kept for tests
    "MAIL_FROM": "selfcare <no-reply@localhost>",
    "MAIL_HOST": "localhost",
    "MAIL_PORT": 587,
    "MAIL_USER": "",
    "MAIL_PASSWORD": "",
    "MAIL_STARTTLS": True,
}

_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def _coerce(name: str, raw: str, default: Any) -> Any:
    """Turn an environment string into the type of its default."""
    if isinstance(default, bool):
        try:
            return _BOOLEANS[raw.strip().lower()]
        except KeyError:
            raise ValueError(f"{ENV_PREFIX}{name} must be true or false, not {raw!r}") from None
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{ENV_PREFIX}{name} must be a whole number, not {raw!r}") from None
    return raw


def load_config(environ: Mapping[str, str], overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Merge defaults, SELFCARE_* variables from `environ` and `overrides`, in that order."""
    config = dict(DEFAULTS)
    for key, value in environ.items():
        if key.startswith(ENV_PREFIX):
            name = key[len(ENV_PREFIX):]
            config[name] = _coerce(name, value, DEFAULTS.get(name))
    config.update(overrides or {})
    config["CONTENT_DIR"] = str(config["CONTENT_DIR"] or default_content_dir())
    return config


def from_environment(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The configuration for this process."""
    return load_config(os.environ, overrides)


def default_content_dir() -> Path:
    """content/ beside the package in a checkout; ./content when the package is installed elsewhere."""
    beside = Path(__file__).resolve().parent.parent / "content"
    return beside if beside.is_dir() else Path.cwd() / "content"


def instance_secret_key(instance_path: Path) -> str:
    """Read the instance folder's secret key, creating it (readable by the owner only) on first use."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker created it first: use theirs
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
