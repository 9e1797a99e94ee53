"""The reading forms' groups of choices written in Python: _macros.html's `choices`, `red_flags` and `reading_fields`,
the same text byte for byte (tests/test_form_html.py renders both for every state a field can be in).

The player's start screen and the check-in page show seventeen or more groups of choices; each was a Jinja macro
call with a dozen attribute reads, a tenth of those pages. Only fields with `options_html` (selfcare/fields.py's
Options: every reading form field) are written here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Iterable

from markupsafe import Markup, escape

ZONE_HINT = "Tap the picture or choose from the list. Pick the place furthest down your leg where you feel pain, numbness or tingling."
PAIN_HINT = "0 means no pain. 10 means the worst pain you can imagine."

# zone_picker's picture, as the macro writes it (its indentation included).
ZONE_PICTURE = """<div class="zone-picker">
    <svg class="body-outline" viewBox="0 0 120 250" aria-hidden="true" focusable="false">
      <g class="zones">
        <path data-zone="back" d="M38 20 h44 v42 h-44 z"/>
        <path data-zone="buttock" d="M36 62 h48 v30 h-48 z"/>
        <path data-zone="thigh" d="M36 92 h22 v58 h-20 z"/><path data-zone="thigh" d="M62 92 h22 l-2 58 h-20 z"/>
        <path data-zone="calf" d="M38 152 h19 v60 h-17 z"/><path data-zone="calf" d="M63 152 h19 l-2 60 h-17 z"/>
        <path data-zone="foot" d="M38 214 h19 v18 h-24 z"/><path data-zone="foot" d="M63 214 h19 l5 18 h-24 z"/>
      </g>
      <g class="labels" font-size="9" text-anchor="middle">
        <text x="60" y="44">back</text><text x="60" y="80">buttock</text>
        <text x="47" y="124">thigh</text><text x="47" y="186">calf</text><text x="60" y="246">foot</text>
      </g>
    </svg>
    """

RED_FLAGS_START = """<section class="red-flags" aria-labelledby="rf-heading">
    <h2 id="rf-heading">Safety questions</h2>
    <p class="hint">These check for rare signs that need a doctor quickly. Each question says which days it is about.</p>
    """


_NO_MISSING = object()  # a field without a `missing` text (the macro's `f.missing is defined` is false)


@lru_cache(maxsize=2048, typed=True)  # typed: a Markup label is not escaped, the same text as str is
def _frame(field_id: str, missing: Any, label: Any, hint: Any, css: Any, legend_class: Any, invalid: bool) -> tuple[str, str]:
    """The group's text before its error message and between it and the options (the same few dozen on every page)."""
    field_id = escape(field_id)
    head = ['<fieldset class="field group', " field-invalid" if invalid else "", '" ']
    if invalid:
        head.append(f'aria-describedby="{field_id}-error"')
    head.append(f' id="{field_id}"')
    if missing is not _NO_MISSING:
        head.append(f' data-missing="{escape(missing)}"')
    head.append(f'>\n    <legend class="{escape(legend_class)}">{escape(label)}</legend>\n    ')
    if hint:
        head.append(f'<p class="hint">{escape(hint)}</p>')
    head.append("\n    ")
    return "".join(head), f'\n    <div class="{escape(css)}">\n      '


def choices(f: Any, hint: Any = None, css: Any = "options", legend_class: Any = "") -> Markup:
    """_macros.html's `choices(f, hint, css, legend_class)`: a fieldset of radio buttons or checkboxes."""
    if not hasattr(f, "options_html"):
        raise TypeError(f"{type(f).__name__} has no options_html: use the choices macro")
    errors = f.errors
    frame = (f.id, getattr(f, "missing", _NO_MISSING), f.label.text, hint or f.description, css, legend_class, bool(errors))
    try:
        head, before_options = _frame(*frame)
    except TypeError:  # an unhashable text (never ours)
        head, before_options = _frame.__wrapped__(*frame)
    error = f'<p class="error" id="{escape(f.id)}-error">{Markup(" ").join(errors)}</p>' if errors else ""
    options = f.options_html(**({"aria-invalid": "true"} if errors else {}))
    return Markup(f"{head}{error}{before_options}{options}\n    </div>\n  </fieldset>")


def red_flags(form: Any, questions: Iterable[Any], name_for: Callable[[Any], str]) -> Markup:
    """_macros.html's `red_flags(form, questions, name_for)`: the safety questions, yes or no."""
    groups = "".join(choices(form[name_for(q)], css="options yes-no", legend_class="question") for q in questions)
    return Markup(f"{RED_FLAGS_START}{groups}\n  </section>")


def reading_fields(form: Any) -> Markup:
    """_macros.html's `reading_fields(form)`: where it reaches (picture and list), the side, leg and back pain."""
    return Markup(
        f"{ZONE_PICTURE}{choices(form.zone, hint=ZONE_HINT, css='options zone-list')}\n  </div>\n"
        f"  {choices(form.side, css='options sides')}\n"
        f"  {choices(form.leg_pain, hint=PAIN_HINT, css='options scale')}\n"
        f"  {choices(form.back_pain, hint=PAIN_HINT, css='options scale')}"
    )
