"""Forms for the no-JavaScript pages (the socket only makes them live)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .models import WorkingHours
from .services import MAX_BODY


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        required=False,
        max_length=MAX_BODY,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachment = forms.FileField(
        label=_("Add a photo or PDF (optional)"),
        required=False,
        help_text=_("A photo (JPG or PNG) or a PDF, smaller than 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )
    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("client_id", uuid.uuid4())
        super().__init__(*args, **kwargs)


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with this message? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ShareForm(forms.Form):
    shared = forms.TypedChoiceField(
        label=_("Can your key worker read your messages with your mentor?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


class WorkingHoursForm(forms.Form):
    """One start and finish time per day; leave both empty for a day off."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in WorkingHours.Day.choices:
            self.fields[f"starts_{value}"] = forms.TimeField(
                label=_("%(day)s: start") % {"day": label},
                required=False,
                help_text=_("For example, 09:00"),
            )
            self.fields[f"ends_{value}"] = forms.TimeField(
                label=_("%(day)s: finish") % {"day": label},
                required=False,
                help_text=_("For example, 17:00"),
            )

    def clean(self):
        cleaned = super().clean()
        days = {}
        for value, label in WorkingHours.Day.choices:
            starts, ends = cleaned.get(f"starts_{value}"), cleaned.get(f"ends_{value}")
            if starts is None and ends is None:
                days[value] = None
            elif starts is None or ends is None:
                self.add_error(
                    f"starts_{value}" if starts is None else f"ends_{value}",
                    _("Enter both times for %(day)s, or neither.") % {"day": label},
                )
            elif ends <= starts:
                self.add_error(
                    f"ends_{value}",
                    _("The finish time on %(day)s must be after the start time.") % {"day": label},
                )
            else:
                days[value] = (starts, ends)
        cleaned["days"] = days
        return cleaned


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class LeaveForm(forms.Form):
    starts = forms.DateField(
        label=_("First day away"),
        widget=DateInput(),
        error_messages={
            "required": _("Enter the first day you are away"),
            "invalid": _("Enter a real date, for example 27/03/2027"),
        },
    )
    ends = forms.DateField(
        label=_("Last day away"),
        widget=DateInput(),
        error_messages={
            "required": _("Enter the last day you are away"),
            "invalid": _("Enter a real date, for example 27/03/2027"),
        },
    )

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and ends < starts:
            self.add_error("ends", _("The last day must be the same as or after the first day."))
        return cleaned


class RotaForm(forms.Form):
    """The duty key worker for each of the coming days; empty for nobody."""

    def __init__(self, *args, days=(), workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.workers = {str(worker.pk): worker for worker in workers}
        choices = [("", _("Nobody"))] + [(pk, w.display_name) for pk, w in self.workers.items()]
        self.days = [day for day, _duty in days]
        for day, duty in days:
            name = f"day_{day:%Y%m%d}"
            self.fields[name] = forms.ChoiceField(
                label=date_format(day, "l j F Y"), choices=choices, required=False
            )
            self.initial.setdefault(name, str(duty.key_worker_id) if duty else "")

    def clean(self):
        cleaned = super().clean()
        cleaned["rota"] = {
            day: self.workers.get(cleaned.get(f"day_{day:%Y%m%d}") or "") for day in self.days
        }
        return cleaned
