"""Read rendered HTML as a browser and a screen reader would: a form's controls, and the messages tied to fields."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class RenderedForm:
    """What a browser would send from one form untouched, every control's name, and the values each offers."""

    values: list[tuple[str, str]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    hidden: set[str] = field(default_factory=set)  # fields a person cannot see or change
    options: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def body(self) -> dict[str, list[str]]:
        """The untouched form as a request body (repeated names keep every value)."""
        out: dict[str, list[str]] = defaultdict(list)
        for name, value in self.values:
            out[name].append(value)
        return dict(out)


class _FormReader(HTMLParser):
    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.found = action, False, False
        self.form = RenderedForm()
        self.textarea: str | None = None
        self.select: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("action") == self.action and not self.found:
            self.inside = self.found = True
            return
        name = a.get("name")
        if not self.inside or not name:
            if tag == "option" and self.inside and self.select:
                self.form.options[self.select].append(a.get("value", ""))
                if "selected" in a:
                    self.form.values.append((self.select, a.get("value", "")))
            return
        self.form.names.add(name)
        if tag == "input" and a.get("type") in ("radio", "checkbox"):
            self.form.options[name].append(a.get("value", "on"))
            if "checked" in a:
                self.form.values.append((name, a.get("value", "on")))
        elif tag == "input" and a.get("type") not in ("submit", "button", "reset"):
            self.form.values.append((name, a.get("value", "")))
            if a.get("type") == "hidden":
                self.form.hidden.add(name)
        elif tag == "button" and a.get("type", "submit") == "submit":
            self.form.options[name].append(a.get("value", ""))
            self.form.values.append((name, a.get("value", "")))  # the button a person presses
        elif tag == "textarea":
            self.textarea, self.text = name, []
        elif tag == "select":
            self.select = name

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea:
            self.form.values.append((self.textarea, "".join(self.text).removeprefix("\n")))
            self.textarea = None
        elif tag == "select":
            self.select = None


def read_form(html: str, action: str) -> RenderedForm:
    """The first form in `html` that posts to `action`."""
    reader = _FormReader(action)
    reader.feed(html)
    assert reader.found, f"no form posts to {action}"
    return reader.form


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: dict[str, list[str]] = {}
        self.classes: dict[str, str] = {}
        self.described: set[str] = set()
        self.open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.described.update(a.get("aria-describedby", "").split())
        if tag in VOID:
            return
        element_id = a.get("id") or ("error-summary" if "error-summary" in a.get("class", "").split() else None)
        if element_id:
            self.text.setdefault(element_id, [])
            self.classes[element_id] = a.get("class", "")
        self.open.append((tag, element_id))

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, element_id in self.open:
            if element_id:
                self.text[element_id].append(data)


@dataclass(frozen=True)
class FieldMessages:
    """The error messages beside fields: by the field's id, as `<p class="error" id="ID-error">`
    that the control (or its fieldset) names in aria-describedby (templates/_macros.html)."""

    messages: dict[str, str]
    summary: str  # the list of problems at the top of the form

    def of(self, field_id: str) -> str:
        """The message beside one field ('' when there is none)."""
        return self.messages.get(field_id, "")


def field_messages(html: str) -> FieldMessages:
    """Every error message in `html` that sits beside a field and is tied to it for screen readers."""
    reader = _Elements()
    reader.feed(html)
    messages = {
        element_id.removesuffix("-error"): " ".join("".join(text).split())
        for element_id, text in reader.text.items()
        if element_id.endswith("-error") and "error" in reader.classes[element_id].split() and element_id in reader.described
    }
    return FieldMessages(messages, " ".join("".join(reader.text.get("error-summary", [])).split()))
