"""The load test's simulated phones: accounts made through the app's services, and one thread per phone that writes
through the API like the offline-first app (each write with its own UUID, retried with the same id and body on a
dropped connection, a timeout or a 5xx, as the outbox does), keeping a ledger of what it sent and heard.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.serve import app_config, request

PASSWORD = "load-test-password"
RETRY_FOR = 30.0  # a write is retried this long at most (the phone's outbox would keep it longer)
WRITE_KINDS = ("checkin", "walk", "event", "self_check")


@dataclass(frozen=True)
class Patient:
    """A simulated phone's account: patient id and token."""

    id: int
    token: str


def prepare(url: str, instance: Path, users: int) -> list[Patient]:
    """Make a therapist and `users` onboarded, linked patients with a plan and a token each."""
    from selfcare import accounts, create_app
    from selfcare.content import current_content
    from selfcare.db import close_database, db
    from selfcare.models import Role
    from selfcare.services import plans, tokens
    from selfcare.services.profiles import ProfileAnswers, save_profile

    app = create_app(app_config(url, instance))
    patients = []
    try:
        with app.app_context(), db.connection_context():
            therapist = accounts.create_user("load.therapist@example.com", PASSWORD, "Load Therapist", Role.THERAPIST, "UK", "Europe/London")
            plan = plans.plan_values(current_content().plan)
            for n in range(users):
                user = accounts.create_user(f"load.patient{n}@example.com", PASSWORD, f"Patient {n}", Role.PATIENT, "UK", "Europe/London")
                save_profile(user, ProfileAnswers("left", date.today() - timedelta(days=20), 10, False, False, "UK"))
                accounts.link(therapist, user)
                plans.change_plan(therapist, user, plan, paused=False, message=None)
                patients.append(Patient(user.id, tokens.create_token(user, "load test").secret))
    finally:
        close_database()
    return patients


@dataclass
class Failure:
    """A request that got no usable answer: when it was sent and failed (seconds into the run), and what."""

    started: float
    at: float
    kind: str  # connection, timeout, http
    detail: str
    status: int | None = None


@dataclass
class Ack:
    """An acknowledged write."""

    kind: str
    id: str
    patient: int
    at: float
    status: int
    attempts: int
    twin: bool = False  # sent twice at once; this is one of the two


@dataclass
class Ledger:
    """Everything one simulated phone sent and heard."""

    patient: int
    requests: int = 0
    sent: dict[str, str] = field(default_factory=dict)  # write id -> kind (ids ever sent)
    acks: list[Ack] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    rejected: list[Failure] = field(default_factory=list)  # 4xx answers: the phone keeps those aside
    retries: int = 0
    walks_with_checkin: set[str] = field(default_factory=set)


def _now_device() -> str:
    """The phone's clock: now, with its UTC offset."""
    return datetime.now(UTC).isoformat()


class Phone:
    """One simulated patient's phone: check-ins, sets by player events, walks; retries like the outbox."""

    def __init__(self, patient: Patient, port: int, started: float, until: float, seed: int, flags: list[str],
                 timeout: float, think: float, twice: float) -> None:
        self.patient, self.port, self.started, self.until = patient, port, started, until
        self.rng = random.Random(seed)
        self.flags = flags
        self.timeout, self.think = timeout, think
        self.ledger = Ledger(patient.id)
        self.twice = twice  # the share of writes sent twice at once
        self.twins: list[Ledger] = []  # what the second senders of those writes heard
        self.screen = "start"  # the player screen the last event answer showed
        self.reading = {"zone": "calf", "side": "left", "leg_pain": 6, "back_pain": 3}

    def run(self) -> None:
        """Act until the run ends; a write under way is finished (retried) even past the end."""
        while time.monotonic() < self.until:
            roll = self.rng.random()
            if roll < 0.25:
                self.write("checkin", "/checkins", self._checkin())
            elif roll < 0.40:
                minutes = self.rng.randint(1, 60)
                onset = self.rng.choice([None, self.rng.randint(0, minutes)])
                self.write("walk", "/walks", {"id": str(uuid.uuid4()), "recorded_at": _now_device(), "minutes": minutes,
                                              "onset_minutes": onset})
            elif roll < 0.43:
                self.write("self_check", "/self-checks", {
                    "id": str(uuid.uuid4()), "recorded_at": _now_device(), "heel_walk": "normal", "toe_walk": "normal",
                    "big_toe_lift": "normal", "numb_areas": []})
            elif roll < 0.50:
                self.read("/checkins?limit=20")
            elif self.screen in ("start", "step", "recheck"):
                self.next_event()
            else:  # the set is over for now (repeat later, done, stop): the app would not offer another one
                self.read("/player")
            if self.think:
                time.sleep(self.rng.uniform(0, 2 * self.think))

    def _checkin(self) -> dict[str, Any]:
        """A check-in with every red flag answered no."""
        body: dict[str, Any] = {
            "id": str(uuid.uuid4()), "recorded_at": _now_device(), "red_flags": {flag: False for flag in self.flags},
            "reading": dict(self.reading), "sensations": ["pain"], "worse_with": ["sitting"],
        }
        if self.rng.random() < 0.5:
            body["walk"] = {"minutes": 12, "onset_minutes": 5}
        return body

    def next_event(self) -> None:
        """The next protocol event for the screen shown: start, step_done (sometimes quit), recheck_done."""
        event: dict[str, Any] = {"id": str(uuid.uuid4()), "occurred_at": _now_device()}
        if self.screen == "start":
            event.update(kind="start", red_flags={flag: False for flag in self.flags}, reading=dict(self.reading))
        elif self.screen == "step":
            event["kind"] = "quit" if self.rng.random() < 0.08 else "step_done"
        elif self.rng.random() < 0.85:  # recheck: mostly quit, so sets keep coming; sometimes finish the set
            event["kind"] = "quit"
        else:
            event.update(kind="recheck_done", reading={**self.reading, "zone": "thigh", "leg_pain": 5})
        answer = self.write("event", "/player/events", event)
        if answer is not None:
            self.screen = answer["session"]["screen"]["kind"]

    def read(self, path: str) -> None:
        """A read the app makes; failures are recorded, not retried."""
        status, _ = self._send(self.ledger, "GET", path, None)
        if status is not None and status != 200:
            self.ledger.rejected.append(Failure(self._t(), self._t(), "http", f"GET {path}", status))

    def write(self, kind: str, path: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """Send a write until acknowledged; now and then twice at once, as a phone whose outbox retried early."""
        self.ledger.sent[body["id"]] = kind
        if kind == "checkin" and "walk" in body:
            self.ledger.walks_with_checkin.add(body["id"])
        if self.rng.random() >= self.twice:
            return self._post(self.ledger, kind, path, body, twin=False)
        twin = Ledger(self.patient.id)
        self.twins.append(twin)
        other = threading.Thread(target=self._post, args=(twin, kind, path, body, True), daemon=True)
        other.start()
        answer = self._post(self.ledger, kind, path, body, twin=True)
        other.join()
        return answer

    def _post(self, ledger: Ledger, kind: str, path: str, body: dict[str, Any], twin: bool) -> dict[str, Any] | None:
        """POST `body` until the server answers 200/201 (retrying the same id and body); the answer."""
        first = time.monotonic()
        attempts = 0
        while True:
            attempts += 1
            status, payload = self._send(ledger, "POST", path, body)
            if status in (200, 201):
                ledger.acks.append(Ack(kind, body["id"], self.patient.id, self._t(), status, attempts, twin))
                if status == 200 and attempts == 1 and not twin:  # a new id answered as a replay: seen before?
                    ledger.rejected.append(Failure(self._t(), self._t(), "http", f"{kind} {body['id']}: 200 on first send", 200))
                return json.loads(payload)
            if status is not None and status < 500:
                ledger.rejected.append(Failure(self._t(), self._t(), "http", f"{kind} {body['id']}: {payload[:300]!r}", status))
                return None
            if time.monotonic() - first > RETRY_FOR:
                return None
            ledger.retries += 1
            time.sleep(random.uniform(0.02, 0.1))

    def _send(self, ledger: Ledger, method: str, path: str, body: Any) -> tuple[int | None, bytes]:
        """One request; a connection error, timeout or 5xx is logged as a failure (status None or 5xx)."""
        ledger.requests += 1
        sent = self._t()
        try:
            status, payload = request("127.0.0.1", self.port, method, f"/api/v1/patients/{self.patient.id}{path}",
                                      body, self.patient.token, self.timeout)
        except TimeoutError as error:
            ledger.failures.append(Failure(sent, self._t(), "timeout", repr(error)))
            return None, b""
        except (OSError, http.client.HTTPException) as error:
            ledger.failures.append(Failure(sent, self._t(), "connection", repr(error)))
            return None, b""
        if status >= 500:
            ledger.failures.append(Failure(sent, self._t(), "http", payload[:300].decode(errors="replace"), status))
        return status, payload

    def _t(self) -> float:
        """Seconds since the run started."""
        return time.monotonic() - self.started
