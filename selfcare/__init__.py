"""selfcare: self-care and monitoring for people with sciatica, and their physical therapists."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

from selfcare import assets, cli, content, db, delivery, errors, limits, links, mail, pwa, security, url_rules
from selfcare.access import login_manager
from selfcare.config import from_environment, instance_secret_key, start_settings
from selfcare.schema import create_schema
from selfcare.services import sealed

csrf = CSRFProtect()
htmx = Htmx()


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, database, login, CSRF, blueprints, error pages and CLI."""
    found = from_environment(config)
    app = Flask(__name__, instance_path=found["INSTANCE_PATH"] or None, instance_relative_config=True)
    app.config.from_mapping(found)
    app.config.update(start_settings(app.config, relaxed=app.debug or app.testing))  # BASE_URL, TRUSTED_HOSTS
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))

    security.init_app(app)
    delivery.init_app(app)
    content.init_app(app)
    db.init_app(app)
    sealed.init_app(app)  # the key that seals two-step secrets at rest (before create_schema migrates them)
    login_manager.init_app(app)
    url_rules.init_app(app)  # <id:...> in routes, and addresses no longer than a proxy passes
    csrf.init_app(app)
    htmx.init_app(app)
    assets.init_app(app)
    pwa.init_app(app)
    errors.init_app(app)
    limits.init_app(app)
    mail.init_app(app)
    links.init_app(app)
    cli.init_app(app)

    from selfcare import api, auth, calendar_feed, home, patient, settings, therapist, two_step

    for blueprint in (home.bp, auth.bp, settings.bp, two_step.bp, calendar_feed.bp, patient.bp, therapist.bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api.bp)  # a token needs no CSRF; session writes are checked by the API itself
    api.init_app(app)

    if app.config.get("AUTO_CREATE_SCHEMA", True):
        with app.app_context(), db.db.connection_context():  # the app's content: version 14 fills the daily summary
            create_schema()
    return app
