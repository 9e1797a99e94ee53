"""Who may see what: login, role checks and safe redirects."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar
from urllib.parse import urlsplit

from flask import abort
from flask_login import LoginManager, current_user

from selfcare.models import Role, User
from selfcare.services import login_sessions

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see that page."
login_manager.login_message_category = "info"
# No "session protection": server-side login sessions (services/login_sessions.py) end sessions for real, and
# Flask-Login's "basic" mode rewrote every anonymous cookie on its next request (`_fresh`: false). A background
# request from before a login (the service worker fetching /offline) then answered with the old cookie and
# logged the person straight out again.
login_manager.session_protection = None

View = TypeVar("View", bound=Callable[..., Any])


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Flask-Login's hook: the signed-in user, or None if the account is gone or the session has ended
    (logged out, a new password, gone idle) since this cookie or remember cookie was made (see User.get_id)."""
    user_id, _, key = session_id.partition(":")
    if not user_id.isdigit() or not key:
        return None
    return login_sessions.user_for(int(user_id), key)


def role_required(role: Role) -> Callable[[View], View]:
    """Only signed-in users with `role` may call the view: others log in (401) or get 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role != role.value:
                abort(403)
            return view(*args, **kwargs)

        wrapped.access = role.value  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def public(view: View) -> View:
    """Mark a view as open to everyone, signed in or not."""
    view.access = "public"  # type: ignore[attr-defined]
    return view


def signed_in(view: View) -> View:
    """Any signed-in user may call the view."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    wrapped.access = "signed_in"  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


def is_safe_next(target: str | None) -> bool:
    """Whether `target` is a path on this site (never another host) to go to after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and all(ord(c) >= 32 for c in target)
