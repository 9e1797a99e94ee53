"""Learn: the education pages and everyday activity advice, in plain words."""

from __future__ import annotations

from flask import abort, render_template

from selfcare.access import role_required
from selfcare.content import current_content, current_region, fill_html
from selfcare.markdown import render_page
from selfcare.models import Role
from selfcare.patient import bp


@bp.route("/learn")
@role_required(Role.PATIENT)
def learn() -> str:
    """The list of education pages (in content order) and the activity advice."""
    content = current_content()
    return render_template("patient/learn.html", pages=content.pages, advice=content.advice)


@bp.route("/learn/<slug>")
@role_required(Role.PATIENT)
def learn_page(slug: str) -> str:
    """One education page, rendered from its Markdown in the reader's region words, with its public sources at the end."""
    try:
        page = current_content().page(slug)
    except KeyError:
        abort(404)
    return render_template("patient/learn_page.html", page=page, body=fill_html(render_page(page), current_region()))
