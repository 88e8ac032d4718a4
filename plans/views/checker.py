"""The plain-English hints staff see as they type."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from portal import access as core
from portal import plain_english, ratelimit

from ..forms import PlainEnglishForm
from ._common import CHECK_LIMIT


@login_required
@require_POST
def plain_english_check(request):
    """Hints for staff as they type. HTML for htmx, JSON when asked for it."""
    if core.staff_profile(request.user) is None:
        raise Http404  # families' own words are never scored
    if ratelimit.exceeded(CHECK_LIMIT, request.user.pk):
        return ratelimit.too_many(request, CHECK_LIMIT)
    # htmx posts the whole form; "field" names the box being checked (default "text").
    name = request.POST.get("field") or "text"
    form = PlainEnglishForm({"text": request.POST.get(name, "")})
    text = form.cleaned_data["text"] if form.is_valid() else ""
    report = plain_english.check(text)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(report.as_dict())
    return render(request, "plans/includes/plain_english.html", {"report": report})
