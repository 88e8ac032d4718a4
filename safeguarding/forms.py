"""Forms for raising a concern and recording the decision on it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Concern

ACTION_SLOTS = 3

_DETAILS_ERRORS = {
    "required": _("Tell us what worried you, in a sentence or two."),
    "min_length": _("Tell us what worried you, in a sentence or two."),
    "max_length": _("Keep it to 3000 characters or fewer."),
}


class RaiseForm(forms.Form):
    """What a parent, mentor, partner or key worker tells us."""

    about = forms.ChoiceField(
        label=_("Who are you worried about?"),
        choices=Concern.About.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who you are worried about.")},
    )
    details = forms.CharField(
        label=_("What has happened?"),
        help_text=_(
            "Say what you saw or heard, when, and who was there. Only the key worker and the managers read this."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        min_length=10,
        max_length=3000,
        error_messages=_DETAILS_ERRORS,
    )


class ParentRaiseForm(RaiseForm):
    details = forms.CharField(
        label=_("What has happened?"),
        help_text=_(
            "Tell us in your own words. Only your key worker and their managers read this. Nobody else in your family can see it."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        min_length=10,
        max_length=3000,
        error_messages=_DETAILS_ERRORS,
    )


class MentorConcernForm(forms.Form):
    """A mentor's concern about the family they support (who it is about is in the text)."""

    details = forms.CharField(
        label=_("What worried you?"),
        help_text=_(
            "Say what you saw or heard, when, and who was there. Only the key worker and managers read this."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        min_length=10,
        max_length=3000,
        error_messages=_DETAILS_ERRORS,
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("What did you decide?"),
        choices=Concern.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you decided.")},
    )
    notes = forms.CharField(
        label=_("What you decided and why"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=3000,
        error_messages={
            "required": _("Say what you decided and why."),
            "max_length": _("Keep it to 3000 characters or fewer."),
        },
    )
    share = forms.TypedChoiceField(
        label=_("Is it safe to tell the person who raised it what happened?"),
        help_text=_(
            "Only say yes if telling them cannot put anyone at risk, for example if they live with the person it is about."
        ),
        choices=[("no", _("No, only tell them we received it")), ("yes", _("Yes"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether it is safe to tell them what happened.")},
    )
    outcome_for_raiser = forms.CharField(
        label=_("What they will read (if safe)"),
        help_text=_(
            "Plain words, no names. For example: We have talked to the family and are helping them."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
        error_messages={"max_length": _("Keep it to 1000 characters or fewer.")},
    )

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = {str(u.pk): u for u in owners}
        choices = [
            ("", _("Choose who will do it")),
            *((pk, u.display_name) for pk, u in self.owners.items()),
        ]
        for n in range(1, ACTION_SLOTS + 1):
            self.fields[f"action_{n}"] = forms.CharField(
                label=_("Action %(n)s: what needs to happen (optional)") % {"n": n},
                max_length=300,
                required=False,
                error_messages={"max_length": _("Keep it to 300 characters or fewer.")},
            )
            self.fields[f"action_{n}_owner"] = forms.ChoiceField(
                label=_("Action %(n)s: who will do it") % {"n": n}, choices=choices, required=False
            )
            self.fields[f"action_{n}_due"] = forms.DateField(
                label=_("Action %(n)s: by when (optional)") % {"n": n},
                help_text=_("For example, 27/3/2027"),
                required=False,
                input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                error_messages={"invalid": _("Enter the date like 27/3/2027.")},
            )

    def action_rows(self):
        return [
            (self[f"action_{n}"], self[f"action_{n}_owner"], self[f"action_{n}_due"])
            for n in range(1, ACTION_SLOTS + 1)
        ]

    def clean(self):
        data = super().clean()
        if data.get("share") and not (data.get("outcome_for_raiser") or "").strip():
            self.add_error("outcome_for_raiser", _("Write what they will read, or choose No."))
        for n in range(1, ACTION_SLOTS + 1):
            text = (data.get(f"action_{n}") or "").strip()
            owner = data.get(f"action_{n}_owner")
            if text and not owner:
                self.add_error(
                    f"action_{n}_owner", _("Choose who will do action %(n)s.") % {"n": n}
                )
            elif owner and not text:
                self.add_error(
                    f"action_{n}", _("Say what needs to happen for action %(n)s.") % {"n": n}
                )
        return data

    def actions(self):
        from .services import ActionInput

        found = []
        for n in range(1, ACTION_SLOTS + 1):
            text = (self.cleaned_data.get(f"action_{n}") or "").strip()
            owner = self.owners.get(self.cleaned_data.get(f"action_{n}_owner") or "")
            if text and owner is not None:
                found.append(
                    ActionInput(
                        description=text,
                        owner=owner,
                        due_on=self.cleaned_data.get(f"action_{n}_due"),
                    )
                )
        return found


class DutyManagerForm(forms.Form):
    day = forms.DateField(
        label=_("Day"),
        help_text=_("For example, 27/3/2027"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={
            "required": _("Enter the day."),
            "invalid": _("Enter the day like 27/3/2027."),
        },
    )
    manager = forms.ChoiceField(
        label=_("Duty manager"), error_messages={"required": _("Choose the duty manager.")}
    )

    def __init__(self, *args, managers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.managers = {str(u.pk): u for u in managers}
        self.fields["manager"].choices = [
            ("", _("Choose a manager")),
            *((pk, u.display_name) for pk, u in self.managers.items()),
        ]

    def clean_day(self):
        from django.utils import timezone

        day = self.cleaned_data["day"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("The day must be today or later."))
        return day
