"""The one way a plan's text is saved, whether htmx autosaves it as the person types or
the form is posted without JavaScript.

A save view checks access and the rate limit, then hands its bound form and a function
that calls the service to ``save``, and the outcome to ``answer``:

- saved: htmx gets "Saved" and the hidden fields to swap in (the new id and version);
  a plain post is sent back to the plan with a message.
- not saved (the form's or the service's errors): htmx gets "Not saved" and the reasons;
  a plain post gets the form again with its errors (400).
- a conflict (someone else saved after the writer opened it, ``services.EditConflict``):
  htmx gets "Not saved" and how to compare; a plain post gets the form again with both
  texts, the writer's words kept and now saving over the newer version (409).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

from plans import services
from plans.forms import VersionedForm
from portal.forms import apply_errors

Saved = TypeVar("Saved", bound=Model)

# The hidden fields a saved record gives htmx to swap in: a template and its context.
State = tuple[str, Mapping[str, Any]]
# The form page again: (form, what someone else saved or None, status) -> the page.
FormPage = Callable[[VersionedForm, Model | None, int], HttpResponse]


class HtmxRequest(HttpRequest):
    """A request that has been through django-htmx's middleware."""

    htmx: HtmxDetails


@dataclass(frozen=True)
class Outcome(Generic[Saved]):
    """What came of one save: the record saved, a conflict, or neither (form errors)."""

    form: VersionedForm
    saved: Saved | None = None
    conflict: services.EditConflict | None = None


def save(form: VersionedForm, write: Callable[[dict[str, Any]], Saved]) -> Outcome[Saved]:
    """Validate the form and, if it is valid, call ``write`` with its cleaned data.
    A service's ValidationError goes on the form; an EditConflict becomes the outcome."""
    if form.is_valid():
        try:
            return Outcome(form, saved=write(form.cleaned_data))
        except services.EditConflict as exc:
            return Outcome(form, conflict=exc)
        except ValidationError as exc:
            apply_errors(form, exc)
    return Outcome(form)


def answer(
    request: HtmxRequest,
    outcome: Outcome[Saved],
    *,
    state: Callable[[Saved], State],
    message: str,
    next_url: Callable[[Saved], str],
    page: FormPage,
) -> HttpResponse:
    """The response to a save, for htmx or for a plain post (see the module's note)."""
    form, saved, conflict = outcome.form, outcome.saved, outcome.conflict
    if saved is not None:
        if request.htmx:
            template, context = state(saved)
            return status(
                request,
                message=_("Saved"),
                state=render_to_string(template, context, request=request),
            )
        messages.success(request, message)
        return redirect(next_url(saved))
    if request.htmx:
        return status(
            request,
            ok=False,
            message=conflict_message() if conflict else not_saved_message(form),
        )
    if conflict is None:
        return page(form, None, 400)
    form.rebase(conflict.version)
    return page(form, conflict.current, 409)


def status(request: HttpRequest, *, message: str, state: str = "", ok: bool = True) -> HttpResponse:
    """The words htmx puts beside the form ("Saved at 10:04"), and any fields to swap."""
    html = render_to_string(
        "plans/includes/autosave_status.html",
        {"message": message, "state": state, "ok": ok},
        request=request,
    )
    return HttpResponse(html)


def conflict_message() -> str:
    return _(
        "Someone else saved this while you were writing. Your words are not saved yet. "
        "Press the save button to compare both."
    )


def not_saved_message(form: VersionedForm) -> str:
    errors = [str(e) for errors in form.errors.values() for e in errors]
    return _("Not saved yet: %(reason)s") % {"reason": " ".join(errors)}
