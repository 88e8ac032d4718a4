"""The portal's form markup (``portal.templatetags.govuk``): hidden fields written as
Django's own widgets would write them."""

import uuid

from django import forms
from django.template import engines

FIELDS = engines["django"].from_string("{% load govuk %}{% govuk_fields form summary=False %}")


class HiddenOnly(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    note = forms.CharField(widget=forms.HiddenInput, required=False)
    flag = forms.BooleanField(widget=forms.HiddenInput, required=False)
    ids = forms.MultipleChoiceField(
        choices=[("1", "one"), ("2", "two")], widget=forms.MultipleHiddenInput, required=False
    )
    marked = forms.CharField(widget=forms.HiddenInput(attrs={"data-x": "1"}), required=False)
    fixed = forms.CharField(widget=forms.HiddenInput, disabled=True, required=False)


def _inputs(html: str) -> list[str]:
    return [f"<input{part.split('>')[0]}>" for part in html.split("<input")[1:]]


def test_hidden_fields_read_as_djangos_own_widgets_write_them():
    unbound = HiddenOnly(initial={"version": 3, "client_id": uuid.uuid4(), "ids": ["1", "2"]})
    bound = HiddenOnly(
        data={"version": "4", "client_id": "x", "note": 'say "hi" <b>', "flag": "on", "ids": ["2"]}
    )
    empty = HiddenOnly(initial={"fixed": "kept"})
    for form in (unbound, bound, empty):
        ours = _inputs(FIELDS.render({"form": form}))
        theirs = _inputs("".join(str(field) for field in form.hidden_fields()))
        assert ours == theirs
        assert len(ours) >= 6  # every field (a multiple one without values writes none)
