"""Forms for agency records: they only collect what people type; services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.models import Agency

from .imports import MAX_BYTES
from .models import Outcome, RecordKind


def _date_field(label, *, required=True, required_message=None):
    return forms.DateField(
        label=label,
        required=required,
        help_text=_("For example, 27/03/2026"),
        error_messages={
            "required": required_message or _("Enter the date."),
            "invalid": _("Enter a real date, like 27/03/2026."),
        },
    )


class RecordForm(forms.Form):
    """Record an entry (or its correction) of one kind."""

    member = forms.TypedChoiceField(label=_("Who it is about"), coerce=int, required=False)
    value = forms.CharField(label=_("Value"), max_length=40, required=False)
    starts = _date_field(_("Date"))
    ends = _date_field(_("Last date it covers"), required=False)
    note = forms.CharField(
        label=_("Note (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, kind, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.members = {m.pk: m for m in members}
        if kind.for_member:
            self.fields["member"].choices = [
                ("", _("Choose someone")),
                *((m.pk, f"{m.name} ({m.get_relationship_display()})") for m in members),
            ]
            self.fields["member"].error_messages["invalid_choice"] = _(
                "Choose someone who lives in the family."
            )
        else:
            del self.fields["member"]
        value = self.fields["value"]
        value.label = kind.name
        value.help_text = {
            RecordKind.ValueType.PERCENTAGE: _("A percentage, for example 87.5"),
            RecordKind.ValueType.COUNT: _("A whole number, for example 2"),
            RecordKind.ValueType.YES_NO: _("Yes or no"),
            RecordKind.ValueType.MONEY: _("In pounds, for example 350.00"),
            RecordKind.ValueType.STATUS: _("One of: %(statuses)s")
            % {"statuses": ", ".join(kind.statuses)},
        }[kind.value_type]
        if kind.value_type == RecordKind.ValueType.STATUS:
            self.fields["value"] = forms.ChoiceField(
                label=kind.name,
                choices=[("", _("Choose a status")), *((s, s) for s in kind.statuses)],
                required=False,
            )
        elif kind.value_type == RecordKind.ValueType.YES_NO:
            self.fields["value"] = forms.ChoiceField(
                label=kind.name,
                choices=[("yes", _("Yes")), ("no", _("No"))],
                widget=forms.RadioSelect,
                required=False,
            )
        if kind.is_span:
            self.fields["starts"].label = _("First date it covers")
        else:
            del self.fields["ends"]

    def member_chosen(self):
        return (
            self.members.get(self.cleaned_data.get("member")) if "member" in self.fields else None
        )


class CorrectionForm(RecordForm):
    reason = forms.CharField(
        label=_("Why the entry was wrong"),
        help_text=_("This is kept with both entries."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Say why the entry was wrong.")},
    )


class RecordChooseForm(forms.Form):
    kind = forms.TypedChoiceField(
        label=_("What are you recording?"),
        coerce=int,
        error_messages={"required": _("Choose what you are recording.")},
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = {kind.pk: kind for kind in kinds}
        self.fields["kind"].choices = [(k.pk, k.name) for k in kinds]
        self.fields["kind"].widget = forms.RadioSelect(choices=self.fields["kind"].choices)


class RecordFilterForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Who"), coerce=int, required=False, empty_value=None)
    kind = forms.TypedChoiceField(label=_("What"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, members, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", _("Everyone")), *((m.pk, m.name) for m in members)]
        self.fields["kind"].choices = [("", _("Every kind")), *((k.pk, k.name) for k in kinds)]


class RecordKindForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        error_messages={"required": _("Enter a name.")},
        help_text=_("What staff call it, for example 'School attendance'"),
    )
    family_label = forms.CharField(
        label=_("Name the family sees"),
        max_length=120,
        error_messages={"required": _("Enter the name the family sees.")},
        help_text=_("In plain words, for example 'Time at school'"),
    )
    value_type = forms.ChoiceField(
        label=_("Kind of value"),
        choices=RecordKind.ValueType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of value.")},
    )
    statuses = forms.CharField(
        label=_("Statuses to choose from (for a status only)"),
        help_text=_("One on each line"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
    )
    about = forms.ChoiceField(
        label=_("Who it is about"),
        choices=RecordKind.About.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who it is about.")},
    )
    period = forms.ChoiceField(
        label=_("Each entry covers"),
        choices=RecordKind.Period.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether it is for a day or a period.")},
    )
    outcome = forms.ChoiceField(
        label=_("Headline outcome it speaks to"),
        choices=[("", _("Choose an outcome")), *Outcome.choices],
        error_messages={"required": _("Choose the headline outcome it speaks to.")},
    )
    agency_kinds = forms.MultipleChoiceField(
        label=_("Agencies that may record it"),
        choices=Agency.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one kind of agency that may record it.")},
    )
    sensitive = forms.BooleanField(
        label=_("Sensitive for safeguarding"),
        help_text=_("The family never sees it, and other agencies do not either."),
        required=False,
    )

    def status_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["statuses"].splitlines() if line.strip()]


class RetireForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it no longer recorded?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": _("Say why this kind is no longer recorded.")},
    )


class ImportForm(forms.Form):
    kind = forms.TypedChoiceField(
        label=_("What the file records"),
        coerce=int,
        error_messages={"required": _("Choose what the file records.")},
    )
    agency = forms.TypedChoiceField(
        label=_("Agency"),
        coerce=int,
        error_messages={"required": _("Choose the agency the file is from.")},
    )
    starts = _date_field(
        _("Period from"),
        required_message=_("Enter the first date the file covers, such as the start of the term."),
    )
    ends = _date_field(
        _("Period to"),
        required_message=_("Enter the last date the file covers, such as the end of the term."),
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: family_reference, name, date_of_birth, value, from, to, note. "
            "From and to may be left empty for the whole period."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={
            "required": _("Choose a CSV file."),
            "empty": _("The file is empty."),
        },
    )

    def __init__(self, *args, kinds, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = {k.pk: k for k in kinds}
        self.agencies = {a.pk: a for a in agencies}
        self.fields["kind"].choices = [("", _("Choose")), *((k.pk, k.name) for k in kinds)]
        self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]
        if len(agencies) != 1:
            self.fields["agency"].choices.insert(0, ("", _("Choose")))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file must be smaller than %(size)s KB.") % {"size": MAX_BYTES // 1000}
            )
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("The file must be a CSV file."))
        return upload

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends < starts:
            self.add_error("ends", _("The last date must be the same as or after the first."))
        kind, agency = self.kinds.get(data.get("kind")), self.agencies.get(data.get("agency"))
        if kind and agency and agency.kind not in kind.agency_kinds:
            self.add_error(
                "kind",
                _("%(agency)s does not record %(kind)s.")
                % {"agency": agency.name, "kind": kind.name},
            )
        return data
