"""A synthetic clinic at scale, built with the demo generator, cached as an SQLite file per parameters."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
PASSWORD = "bench-password-1"
SECRET_KEY = "bench-clinic-key: for throwaway databases on loopback only"  # long enough to pass the start check
GENERATOR_VERSION = 1  # bump when this file changes what it writes: old cache files are then ignored
COURSE_NAMES = ("centralizing", "stable", "peripheralizing")


@dataclass(frozen=True)
class Spec:
    """What to build: therapists, patients, days of history each, the big caseload and the seed."""

    therapists: int = 10
    patients: int = 1000
    days: int = 180
    big_caseload: int = 200
    seed: int = 2026

    def caseload_of(self, n: int) -> int:
        """The therapist index (0-based) patient number `n` belongs to: the first `big_caseload` go to therapist 0."""
        big = min(self.big_caseload, self.patients)
        if n < big or self.therapists == 1:
            return 0
        return 1 + (n - big) % (self.therapists - 1)

    def days_of(self, n: int) -> int:
        """Days of history of patient `n`: patient 0 has 1 day, patient 1 has 365, the rest `days`."""
        return {0: 1, 1: 365}.get(n, self.days)


@dataclass(frozen=True)
class Clinic:
    """A built clinic: where its SQLite file is and who to log in as for each page."""

    path: str
    spec: dict[str, Any]
    built_s: float
    cached: bool
    rows: int
    therapist_email: str  # the therapist with the big caseload
    patient_email: str  # a patient of theirs with `days` days (Today, player, check-in)
    patient_id: int
    short_email: str  # 1 day of history
    long_email: str  # 365 days of history


def _email(role: str, n: int) -> str:
    """The address of therapist or patient number n."""
    return f"{role}{n}@bench.example.com"


def cache_key(spec: Spec, today: date) -> str:
    """A short hash of the parameters, the schema version, the generator version and today's date."""
    from selfcare.schema import LATEST

    raw = json.dumps({**asdict(spec), "schema": LATEST, "generator": GENERATOR_VERSION, "today": today.isoformat()})
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


def make_app(url: str, instance: Path) -> Any:
    """The app bound to `url` (it creates the schema)."""
    from selfcare import create_app

    return create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": SECRET_KEY,
                       "BASE_URL": "http://127.0.0.1", "RATELIMIT_ENABLED": False,
                       "MAIL_BACKEND": "memory"})


def _populate(spec: Spec, now: datetime, log: Any) -> int:
    """Write the users, links, profiles and history into the bound database; rows written."""
    from werkzeug.security import generate_password_hash

    from selfcare import accounts
    from selfcare.db import db
    from selfcare.demo import generate_history
    from selfcare.models import CareLink, Role, User
    from selfcare.services.profiles import ProfileAnswers, save_profile

    rng = random.Random(spec.seed)
    # One scrypt hash shared by every account: hashing 1,000 passwords one by one would take minutes.
    password_hash = generate_password_hash(PASSWORD, method=accounts.PASSWORD_METHOD)
    created = now.replace(tzinfo=None) - timedelta(days=400)

    def user(email: str, name: str, role: Role) -> dict[str, Any]:
        return {"email": email, "password_hash": password_hash, "name": name, "role": role.value, "region": "UK",
                "timezone": "Europe/London", "created_at": created}

    with db.atomic():
        User.insert_many([user(_email("therapist", t), f"Therapist {t}", Role.THERAPIST) for t in range(spec.therapists)]).execute()
        for start in range(0, spec.patients, 200):
            User.insert_many([user(_email("patient", n), f"Patient {n:04d}", Role.PATIENT)
                              for n in range(start, min(start + 200, spec.patients))]).execute()
    therapists = {u.email: u for u in User.select().where(User.role == Role.THERAPIST.value)}
    patients = {u.email: u for u in User.select().where(User.role == Role.PATIENT.value)}
    rows, started = 0, time.monotonic()
    with db.atomic():
        CareLink.insert_many([{"therapist": therapists[_email("therapist", spec.caseload_of(n))].id,
                               "patient": patients[_email("patient", n)].id, "created_at": created}
                              for n in range(spec.patients)]).execute()
    for n in range(spec.patients):
        patient, days = patients[_email("patient", n)], spec.days_of(n)
        therapist = therapists[_email("therapist", spec.caseload_of(n))]
        began = now.replace(tzinfo=None) - timedelta(days=days)
        save_profile(patient, ProfileAnswers("left", (began - timedelta(days=10)).date(), rng.choice([5, 10, 15]), False, False, "UK"),
                     now=began)
        rows += 1 + generate_history(patient, rng.choice(COURSE_NAMES), days, now, rng, therapist)
        if (n + 1) % 100 == 0:
            log(f"  {n + 1}/{spec.patients} patients, {rows:,} rows, {time.monotonic() - started:.0f} s")
    return rows


def build(spec: Spec, log: Any = print, cache: Path = CACHE, use_cache: bool = True) -> Clinic:
    """The clinic's SQLite file: from the cache folder when built earlier today with these parameters, else built now."""
    if spec.patients < 3 or spec.big_caseload < 3:
        raise ValueError("the bench needs 3 patients at least, all 3 in the measured caseload (1-day, 365-day, and a normal one)")
    now = datetime.now(timezone.utc)
    key = cache_key(spec, now.date())
    cache.mkdir(parents=True, exist_ok=True)
    path, meta_path = cache / f"clinic-{key}.db", cache / f"clinic-{key}.json"
    if use_cache and path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        log(f"clinic: reusing {path} (built in {meta['built_s']:.0f} s)")
        return Clinic(**{**meta, "cached": True})
    for old in cache.glob("clinic-*"):  # clinics of earlier days never match again: drop them
        if time.time() - old.stat().st_mtime > 86400:
            old.unlink()
    log(f"clinic: building {spec.therapists} therapists, {spec.patients} patients, {spec.days} days each (seed {spec.seed})")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="selfcare-bench-build-") as folder:
        target = Path(folder) / "clinic.db"
        app = make_app(f"sqlite:///{target}", Path(folder))
        from selfcare.db import close_database, db
        from selfcare.models import User

        try:
            with app.app_context(), db.connection_context():
                rows = _populate(spec, now, log)
                db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                patient_id = User.get(User.email == _email("patient", 2)).id
        finally:
            close_database()
        shutil.move(str(target), path)
    built = time.monotonic() - started
    clinic = Clinic(str(path), asdict(spec), built, False, rows, _email("therapist", 0), _email("patient", 2), patient_id,
                    _email("patient", 0), _email("patient", 1))
    meta_path.write_text(json.dumps(asdict(clinic), indent=1))
    log(f"clinic: built {rows:,} rows in {built:.0f} s")
    return clinic


def copy_to_postgresql(clinic: Clinic, url: str, instance: Path) -> float:
    """Load every table of the clinic's SQLite file into the (empty) PostgreSQL database at `url`; seconds taken."""
    from peewee import SqliteDatabase

    from selfcare.db import SQLITE_PRAGMAS, close_database, db
    from selfcare.models import MODELS, CaseloadRow, PatientStamp
    from selfcare.stamps import STAMPED

    started = time.monotonic()
    source = SqliteDatabase(clinic.path, pragmas=SQLITE_PRAGMAS)
    tables: dict[str, list[dict[str, Any]]] = {}
    with source.bind_ctx(MODELS):  # read with the models' field types (JSON, UUID, dates)
        for model in MODELS:
            tables[model._meta.table_name] = list(model.select().dicts())
    source.close()
    app = make_app(url, instance)
    try:
        with app.app_context(), db.connection_context():
            with db.atomic():
                for model in STAMPED:  # a bulk copy: no stamp per row (each left a dead row version in patient_stamp)
                    db.execute_sql(f'ALTER TABLE "{model._meta.table_name}" DISABLE TRIGGER USER')
                for model in MODELS:
                    model.delete().execute()  # create_schema wrote schema_version rows: take the file's
                for model in MODELS:  # MODELS lists parents before children
                    if model in (PatientStamp, CaseloadRow):  # kept by triggers and by the caseload: they start empty
                        continue
                    rows = tables[model._meta.table_name]
                    for start in range(0, len(rows), 1000):
                        model.insert_many(rows[start:start + 1000]).execute()
                    if "id" in model._meta.fields and rows:
                        table = model._meta.table_name
                        db.execute_sql(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT MAX(id) FROM \"{table}\"))")
                for model in STAMPED:
                    db.execute_sql(f'ALTER TABLE "{model._meta.table_name}" ENABLE TRIGGER USER')
            db.execute_sql("ANALYZE")
    finally:
        close_database()
    return time.monotonic() - started
