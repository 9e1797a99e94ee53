"""Configuration: defaults, then SELFCARE_* environment variables, then explicit overrides."""

from __future__ import annotations

import logging
import os
import re
import secrets
import stat
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

ENV_PREFIX = "SELFCARE_"
log = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "BASE_URL": None,  # the address people use, e.g. https://selfcare.example.org: every link sent out is built on it
    "INSTANCE_PATH": None,  # None: the "instance" folder next to the package (secret key, SQLite file)
    "DATABASE_URL": None,  # None: an SQLite file in the instance folder
    "SECRET_KEY": None,  # None: generated once and kept in the instance folder
    "CONTENT_DIR": None,  # None: content/ next to the package, else ./content (see content_dir())
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "HTTPS": False,  # served over HTTPS: Secure cookies (HSTS follows each request's scheme)
    "TRUSTED_PROXIES": 0,  # proxies in front whose X-Forwarded-For/-Proto are believed (nginx: 1); never -Host
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    "DB_POOL_SIZE": 8,
    "RATELIMIT_ENABLED": True,  # false: no rate limits at all (see selfcare/limits.py)
    "RATELIMIT_STORAGE_URI": "memory://",  # one process; redis://host:6379 shares counters (needs `pip install redis`)
    "RATELIMIT_WRITES": None,  # None: limits.WRITES_PER_ACCOUNT; else a limit such as "120 per 10 minutes;600 per day"
    "RATELIMIT_EXPORTS": None,  # None: limits.EXPORTS_PER_ACCOUNT ("10 per hour")
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


class ConfigError(ValueError):
    """A setting that must be fixed before the app can start; the message says how."""


# ---- The base URL: every link that leaves a page is built on it, never on the request's Host -----------------

LOCAL_BASE_URL = "http://127.0.0.1:5000"  # `make run`'s address: the default in debug and tests, never in production
LOOPBACK_NAMES = ("localhost", "127.0.0.1")
_HOST_RE = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
_PATH_RE = re.compile(r"(/[A-Za-z0-9._~-]+)*/?")
NO_BASE_URL = (
    "SELFCARE_BASE_URL is not set. Set it to the address people use to reach selfcare, e.g. "
    "https://selfcare.example.org: reset emails, calendar and invite links are built on it, never on the request."
)


def base_url(raw: str) -> str:
    """SELFCARE_BASE_URL checked and normalised: http(s)://host[:port][/path], host in lower case, no final slash."""
    text = str(raw).strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        parts, port = None, None
    host = parts.hostname if parts else None
    if (parts is None or parts.scheme not in {"http", "https"} or not host or not _HOST_RE.fullmatch(host)
            or port == 0 or parts.username is not None or parts.password is not None
            or "?" in text or "#" in text or not _PATH_RE.fullmatch(parts.path)):
        raise ConfigError(
            f"SELFCARE_BASE_URL must be the site's address: http:// or https://, a host name (in ASCII: xn-- for "
            f"other letters), and optionally a port and a path, e.g. https://selfcare.example.org; not {text!r}."
        )
    netloc = host if port is None else f"{host}:{port}"
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"


def trusted_hosts(base: str) -> list[str]:
    """The Host names the app answers to (Flask's TRUSTED_HOSTS; any other gets 400): the base URL's host.

    A loopback base URL (`make run`, tests, the bench) also answers on the other loopback name: a local server is
    opened as http://localhost:5000 as often as http://127.0.0.1:5000. Links never come from the Host either way.
    """
    host = urlsplit(base).hostname or ""
    return list(LOOPBACK_NAMES) if host in LOOPBACK_NAMES else [host]


# ---- The secret key ---------------------------------------------------------------------------------------------

SECRET_KEY_MIN = 32
SECRET_KEY_MIN_DISTINCT = 10  # "aaaa…" or "changemechangeme…" is long but guessable; a random key has far more
WEAK_SECRET_KEYS = frozenset({  # examples and placeholders people copy (compared in lower case)
    "changeme", "change-me", "change_me", "change me", "secret", "secret-key", "secret_key", "secretkey", "dev",
    "development", "test", "testing", "password", "default", "selfcare", "your-secret-key", "your_secret_key",
    "replace-me", "insecure", "production-test-secret", "load-test-secret", "bench-secret", "test-secret",
    "please-change-this-secret-key-in-production", "replace-with-a-long-random-string-of-your-own",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
})
MAKE_A_KEY = "python3 -c 'import secrets; print(secrets.token_hex(32))'"


def check_secret_key(key: str) -> None:
    """Refuse a SELFCARE_SECRET_KEY that could be guessed: short, a known example, or hardly varied."""
    why = None
    if key.strip().lower() in WEAK_SECRET_KEYS:
        why = "it is a well-known example value"
    elif len(key) < SECRET_KEY_MIN:
        why = f"it is shorter than {SECRET_KEY_MIN} characters"
    elif len(set(key)) < SECRET_KEY_MIN_DISTINCT:
        why = f"it uses fewer than {SECRET_KEY_MIN_DISTINCT} different characters"
    if why:
        raise ConfigError(
            f"SELFCARE_SECRET_KEY is too weak: {why}. Anyone who guesses it can sign in as anyone. "
            f"Make one with {MAKE_A_KEY}, or leave it unset to use the key kept in the instance folder."
        )


def start_settings(config: Mapping[str, Any], relaxed: bool) -> dict[str, Any]:
    """BASE_URL checked and TRUSTED_HOSTS from it, for the app's config; a weak SECRET_KEY stops start-up.

    `relaxed` (debug or testing) allows a missing BASE_URL (`make run`'s local address) and any secret key;
    a badly written BASE_URL is refused either way.
    """
    raw = config.get("BASE_URL")
    if not raw:
        if not relaxed:
            raise ConfigError(NO_BASE_URL)
        raw = LOCAL_BASE_URL
    base = base_url(raw)
    if config.get("SECRET_KEY") and not relaxed:
        check_secret_key(str(config["SECRET_KEY"]))
    return {"BASE_URL": base, "TRUSTED_HOSTS": trusted_hosts(base)}


# ---- Files only their owner may read: the instance folder, the SQLite file, the secret key -------------------

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def _tighten(path: Path, mode: int) -> None:
    """Take away every permission beyond `mode` from an existing path, saying so in the log."""
    current = stat.S_IMODE(path.stat().st_mode)
    if current & ~mode:
        path.chmod(current & mode)
        log.warning("%s could be read by other users of this machine (mode %03o): now %03o.", path, current, current & mode)


def private_folder(path: Path) -> Path:
    """Create `path` (0700) if it is missing, or tighten it to 0700: it holds the secret key and the database."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    _tighten(path, FOLDER_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty (0600) if it is missing, or tighten it to 0600 (SQLite's -wal and -shm copy its mode)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        _tighten(path, FILE_MODE)
    for companion in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if companion.exists():
            _tighten(companion, FILE_MODE)
    return path


def instance_secret_key(instance_path: Path) -> str:
    """Read the instance folder's secret key, creating it (readable by the owner only) on first use."""
    key_file = private_folder(instance_path) / "secret_key"
    if key_file.exists():
        _tighten(key_file, FILE_MODE)
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:  # another worker created it first: use theirs
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
