"""Forms for agency records: they only collect what people type; services decide.

Forms for meetings and appointments: GOV.UK fields, plain-English errors, and what was
typed kept when it is wrong.
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import apply_errors, date_field
from portal.models import Agency, FamilyMember, FamilyPractitioner

from .imports import MAX_BYTES
from .models import Episode, FollowUp, Outcome, RecordKind, Where


class RecordForm(forms.Form):
    """Record an entry (or its correction) of one kind."""

    member = forms.TypedChoiceField(label=_("Who it is about"), coerce=int, required=False)
    value = forms.CharField(label=_("Value"), max_length=40, required=False)
    starts = date_field(_("Date"))
    ends = date_field(_("Last date it covers"), required=False)
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
    starts = date_field(
        _("Period from"),
        required_message=_("Enter the first date the file covers, such as the start of the term."),
    )
    ends = date_field(
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


# Service errors name the record's fields; these forms ask for them in parts.
RENAMED = {"starts_at": "day", "ends_at": "ends"}


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        exc = ValidationError(
            {RENAMED.get(field, field): errors for field, errors in exc.error_dict.items()}
        )
    apply_errors(form, exc)


def _time_field(label, required_message):
    return forms.TimeField(
        label=label,
        help_text=_("Use the 24-hour clock, for example 14:30"),
        input_formats=["%H:%M", "%H.%M", "%H%M"],
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
        error_messages={
            "required": required_message,
            "invalid": _("Enter a real time, like 14:30"),
        },
    )


class WhenForm(forms.Form):
    """The day, and the start and end times, as GOV.UK asks for them."""

    day = forms.DateField(
        label=_("Date"),
        help_text=_("For example, 27/03/2026"),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
        error_messages={
            "required": _("Enter the date"),
            "invalid": _("Enter a real date, like 27/03/2026"),
        },
    )
    starts = _time_field(_("Start time"), _("Enter the start time"))
    ends = _time_field(_("End time"), _("Enter the end time"))

    def when(self) -> tuple[datetime, datetime]:
        day = self.cleaned_data["day"]
        return (
            timezone.make_aware(datetime.combine(day, self.cleaned_data["starts"])),
            timezone.make_aware(datetime.combine(day, self.cleaned_data["ends"])),
        )

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and ends <= starts:
            self.add_error("ends", _("The end time must be after the start time"))
        return cleaned


class AdultsField(forms.ModelMultipleChoiceField):
    """Adults of the family to tick, each by the name the family uses; the form's
    ``__init__`` gives the queryset."""

    def label_from_instance(self, obj):
        return obj.name


def _adults_field(label, *, required=False, message=""):
    return AdultsField(
        label=label,
        queryset=None,
        required=required,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": message} if message else {},
    )


class AppointmentForm(WhenForm):
    where = forms.CharField(
        label=_("Where"),
        help_text=_("For example: Foleshill Family Hub, or your home"),
        max_length=300,
        error_messages={"required": _("Enter where it is")},
    )
    purpose = forms.CharField(
        label=_("What it is for"),
        help_text=_("In words the family would use, for example: talk about Sam's school"),
        max_length=300,
        error_messages={"required": _("Enter what it is for")},
    )
    coming = _adults_field(_("Who is coming from the family"))

    field_order = ["day", "starts", "ends", "where", "purpose", "coming"]

    def __init__(self, *args, adults=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coming"].queryset = adults


class MentorAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Can you go with them?"),
        choices=[("yes", _("Yes, I can go")), ("no", _("No, I cannot go"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether you can go")},
    )
    reason = forms.CharField(
        label=_("Why not (optional)"),
        help_text=_("The family and their key worker will see this"),
        max_length=300,
        required=False,
    )


class AppointmentRecordForm(forms.Form):
    came = _adults_field(_("Who came from the family"))
    mentor_came = forms.BooleanField(label=_("Their peer mentor came with them"), required=False)

    def __init__(self, *args, adults=(), mentor_name="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["came"].queryset = adults
        if mentor_name:
            self.fields["mentor_came"].label = _("%(name)s, their peer mentor, came with them") % {
                "name": mentor_name
            }
        else:
            del self.fields["mentor_came"]


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled? (optional)"),
        help_text=_("Everyone invited is told it is cancelled; only staff see the reason"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MeetingWhenForm(WhenForm):
    where = forms.ChoiceField(
        label=_("How will you meet?"),
        choices=Where.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you meet in person or by a call")},
    )
    place = forms.CharField(
        label=_("The place, or how to join the call"),
        help_text=_("An address, or the phone number or link and any code"),
        max_length=300,
        error_messages={"required": _("Enter where the meeting is, or how to join the call")},
    )


class MeetingForm(MeetingWhenForm):
    members = _adults_field(
        _("Who from the family is invited"),
        required=True,
        message=_("Invite at least one adult of the family"),
    )
    practitioners: forms.ModelMultipleChoiceField[FamilyPractitioner] = (
        forms.ModelMultipleChoiceField(
            label=_("Who from the team is invited"),
            queryset=None,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
    )
    invite_mentor = forms.BooleanField(required=False)
    staff_notes = forms.CharField(
        label=_("Notes for staff (optional)"),
        help_text=_("Only the key worker and managers see these"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, adults=(), team=(), mentor_name="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = adults
        self.fields["practitioners"].queryset = team
        self.fields["practitioners"].label_from_instance = lambda p: p.name_with_agency
        if mentor_name:
            self.fields["invite_mentor"].label = _("Invite %(name)s, the family's peer mentor") % {
                "name": mentor_name
            }
        else:
            del self.fields["invite_mentor"]


class MeetingRecordForm(forms.Form):
    attended = forms.MultipleChoiceField(
        label=_("Who came"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    family_notes = forms.CharField(
        label=_("Notes agreed with the family"),
        help_text=_("The family and everyone invited see these once the family agreed them"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    notes_agreed = forms.BooleanField(
        label=_("The family agreed these notes can be shared"), required=False
    )
    staff_notes = forms.CharField(
        label=_("Notes for staff (optional)"),
        help_text=_("Only the key worker and managers see these"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, invites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(str(i.pk), i.name) for i in invites]


class ActionForm(forms.Form):
    """One action agreed at the meeting. A row left empty is not an action."""

    text = forms.CharField(label=_("What will happen"), max_length=300, required=False)
    who = forms.ChoiceField(label=_("Who will do it"), required=False)
    goal = forms.TypedChoiceField(label=_("Which goal it is for"), coerce=int, required=False)
    due_date = forms.DateField(
        label=_("By when (optional)"),
        help_text=_("For example, 27/03/2026"),
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
        error_messages={"invalid": _("Enter a real date, like 27/03/2026")},
    )

    def __init__(self, *args, who_choices=(), goal_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["who"].choices = [("", _("Choose who")), *who_choices]
        self.fields["goal"].choices = [("", _("Choose a goal")), *goal_choices]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("text"):
            return cleaned
        if not cleaned.get("who"):
            self.add_error("who", _("Choose who will do it"))
        if not cleaned.get("goal"):
            self.add_error("goal", _("Choose the goal it is for"))
        return cleaned


ActionFormSet = forms.formset_factory(ActionForm, extra=4, max_num=10)


# Referrals ---------------------------------------------------------------------------

PEOPLE_ROWS = 6

# The headline outcomes in a family's words, for "ask for help".
FAMILY_OUTCOME_LABELS = {
    Outcome.EDUCATION: _("Going to school or college, and learning"),
    Outcome.EARLY_YEARS: _("A baby or young child growing and learning"),
    Outcome.HEALTH: _("Health, feelings and mental health"),
    Outcome.SUBSTANCE_USE: _("Drinking or drugs"),
    Outcome.FAMILY_RELATIONSHIPS: _("Getting on at home"),
    Outcome.SAFE_FROM_EXPLOITATION: _("A child being hurt, groomed or pressured by others"),
    Outcome.CRIME: _("Trouble with the police"),
    Outcome.DOMESTIC_ABUSE: _("Someone at home hurting, scaring or controlling you"),
    Outcome.HOUSING: _("Somewhere safe and settled to live"),
    Outcome.FINANCIAL_STABILITY: _("Money, debts or work"),
}


def _people_names() -> list[str]:
    return [
        f"person_{n}_{part}"
        for n in range(1, PEOPLE_ROWS + 1)
        for part in ("name", "relationship", "date_of_birth")
    ]


class PeopleFields(forms.Form):
    """A fixed set of rows for who is in the family (no script needed to add one); blank
    rows are left out. ``people_rows`` gives the template each row's bound fields."""

    people_required = _("Add at least one person in the family.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        relationships = [("", _("Choose")), *FamilyMember.Relationship.choices]
        for n in range(1, PEOPLE_ROWS + 1):
            self.fields[f"person_{n}_name"] = forms.CharField(
                label=_("Name"), max_length=80, required=False
            )
            self.fields[f"person_{n}_relationship"] = forms.ChoiceField(
                label=_("Who they are in the family"), choices=relationships, required=False
            )
            self.fields[f"person_{n}_date_of_birth"] = forms.DateField(
                label=_("Date of birth (optional)"),
                help_text=_("For example, 27/03/2016"),
                required=False,
                widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
                error_messages={"invalid": _("Enter a real date, like 27/03/2016.")},
            )

    def people_rows(self):
        return [
            (
                n,
                self[f"person_{n}_name"],
                self[f"person_{n}_relationship"],
                self[f"person_{n}_date_of_birth"],
            )
            for n in range(1, PEOPLE_ROWS + 1)
        ]

    def clean(self):
        cleaned = super().clean()
        named = 0
        for n in range(1, PEOPLE_ROWS + 1):
            name = (cleaned.get(f"person_{n}_name") or "").strip()
            if not name:
                continue
            named += 1
            if not cleaned.get(f"person_{n}_relationship"):
                self.add_error(
                    f"person_{n}_relationship",
                    _("Say who %(name)s is in the family.") % {"name": name},
                )
            born = cleaned.get(f"person_{n}_date_of_birth")
            if born and born > timezone.localdate():
                self.add_error(
                    f"person_{n}_date_of_birth",
                    _("%(name)s's date of birth must be in the past.") % {"name": name},
                )
        if not named and not self.has_error("person_1_name"):
            self.add_error("person_1_name", self.people_required)
        return cleaned

    def people(self):
        from .services import PersonInput

        return [
            PersonInput(
                name=self.cleaned_data[f"person_{n}_name"].strip(),
                relationship=self.cleaned_data[f"person_{n}_relationship"],
                date_of_birth=self.cleaned_data[f"person_{n}_date_of_birth"],
            )
            for n in range(1, PEOPLE_ROWS + 1)
            if (self.cleaned_data.get(f"person_{n}_name") or "").strip()
        ]

    def service_errors(self, exc: ValidationError) -> None:
        """A service's errors on this form: "people" is the first row's name."""
        if hasattr(exc, "error_dict"):
            renamed = {"people": "person_1_name", "contact_ways": "contact_ways"}
            exc = ValidationError(
                {renamed.get(field, field): errors for field, errors in exc.error_dict.items()}
            )
        apply_errors(self, exc)


def _surname_postcode(form: forms.Form, *, family_words: bool) -> None:
    form.fields["surname"] = forms.CharField(
        label=_("Your family's surname") if family_words else _("The family's surname"),
        help_text=_("The surname most of the household uses."),
        max_length=80,
        error_messages={
            "required": _("Enter your family's surname.")
            if family_words
            else _("Enter the family's surname.")
        },
    )
    form.fields["postcode"] = forms.CharField(
        label=_("Your postcode") if family_words else _("The family's postcode"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-10", "autocomplete": "postal-code"}
        ),
        error_messages={
            "required": _("Enter your postcode.") if family_words else _("Enter the postcode.")
        },
    )


class ReferralForm(PeopleFields):
    """A practitioner refers a family."""

    agency = forms.TypedChoiceField(
        label=_("Which agency are you referring for?"),
        coerce=int,
        error_messages={"required": _("Choose the agency you are referring for.")},
    )
    worries = forms.CharField(
        label=_("What worries you about the family?"),
        help_text=_("What you have seen or heard, and what the family say they need."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"required": _("Say what worries you about the family.")},
    )
    outcomes = forms.MultipleChoiceField(
        label=_("Which of the headline outcomes are the worries about?"),
        help_text=_("Choose all that apply."),
        choices=Outcome.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one of the headline outcomes.")},
    )
    consent = forms.ChoiceField(
        label=_("Has the family agreed to this referral?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the family agreed to this referral.")},
    )
    no_consent_reason = forms.CharField(
        label=_("The safeguarding reason for referring without their agreement"),
        help_text=_("For example: asking would put a child or an adult at risk."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
    )

    field_order = ["agency", "surname", "postcode"]

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        _surname_postcode(self, family_words=False)
        self.agencies = {agency.pk: agency for agency in agencies}
        if agencies:
            self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]
            self.fields["agency"].widget = forms.RadioSelect(choices=self.fields["agency"].choices)
            if len(agencies) == 1:
                self.fields["agency"].initial = agencies[0].pk
        else:
            del self.fields["agency"]
        self.order_fields(["agency", "surname", "postcode", *_people_names(), "worries"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("consent") == "no" and not (cleaned.get("no_consent_reason") or "").strip():
            self.add_error(
                "no_consent_reason",
                _("Give the safeguarding reason for referring without the family's agreement."),
            )
        return cleaned

    def chosen_agency(self) -> Agency | None:
        return self.agencies.get(self.cleaned_data.get("agency") or 0)


class AskForHelpForm(PeopleFields):
    """A family asks for help themselves, in plain words."""

    people_required = _("Tell us at least one person who lives with you (you can add yourself).")

    contact_name = forms.CharField(
        label=_("Your name"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your name.")},
    )
    contact_ways = forms.MultipleChoiceField(
        label=_("How can we contact you safely?"),
        help_text=_("We will only contact you in the way you choose. Choose all that are safe."),
        choices=[
            ("email", _("Email")),
            ("phone", _("Phone call")),
            ("text", _("Text message")),
        ],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one way we can contact you safely.")},
    )
    contact_email = forms.EmailField(
        label=_("Email address (if email is safe)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Enter an email address like name@example.com.")},
    )
    contact_phone = forms.CharField(
        label=_("Phone number (if a call or text is safe)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    when_safe = forms.CharField(
        label=_("When is it safe to contact you? (optional)"),
        help_text=_(
            "For example: weekday mornings only, do not leave a message, or ask for me by name."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    worries = forms.CharField(
        label=_("What would you like help with?"),
        help_text=_("In your own words. Tell us as much or as little as you want."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"required": _("Tell us what you would like help with.")},
    )
    outcomes = forms.MultipleChoiceField(
        label=_("Is it about any of these? (optional)"),
        help_text=_("Choose any that fit. You do not have to choose any."),
        choices=list(FAMILY_OUTCOME_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _surname_postcode(self, family_words=True)
        self.order_fields(
            [
                "contact_name",
                "contact_ways",
                "contact_email",
                "contact_phone",
                "when_safe",
                "surname",
                "postcode",
                *_people_names(),
                "worries",
            ]
        )

    def clean(self):
        cleaned = super().clean()
        ways = set(cleaned.get("contact_ways") or ())
        if (
            "email" in ways
            and not cleaned.get("contact_email")
            and not self.has_error("contact_email")
        ):
            self.add_error("contact_email", _("Enter your email address, or do not choose email."))
        if ways & {"phone", "text"} and not (cleaned.get("contact_phone") or "").strip():
            self.add_error(
                "contact_phone", _("Enter your phone number, or do not choose a call or text.")
            )
        return cleaned

    def contact(self):
        from .services import ContactInput

        data = self.cleaned_data
        ways = set(data["contact_ways"])
        return ContactInput(
            name=data["contact_name"],
            email=data["contact_email"] or "",
            phone=data["contact_phone"],
            by_email="email" in ways,
            by_phone="phone" in ways,
            by_text="text" in ways,
            when_safe=data["when_safe"],
        )


class ReferralDecisionForm(forms.Form):
    """A manager's decision: which family (one that may already be known, or a new one),
    and what happens next."""

    family = forms.ChoiceField(
        label=_("Is this a family we already know?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the family this referral is about, or a new one.")},
    )
    decision = forms.ChoiceField(
        label=_("What happens next?"),
        choices=[
            ("accepted", _("Accept for early help and allocate a lead key worker")),
            ("signposted", _("Signpost to a service in the directory")),
            ("social_care", _("Pass to children's social care")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happens next.")},
    )
    lead = forms.TypedChoiceField(
        label=_("Lead key worker"), coerce=int, required=False, empty_value=None
    )
    handover_note = forms.CharField(
        label=_("Note for the key worker (optional)"),
        help_text=_("What they need to know first. The family and the referrer do not see it."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    service = forms.TypedChoiceField(
        label=_("Service"), coerce=int, required=False, empty_value=None
    )
    note = forms.CharField(
        label=_("Note for the referrer (optional)"),
        help_text=_("They see it beside the outcome. Say nothing of the family's record."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, candidates, key_workers, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(family.pk): family for family in candidates}
        self.fields["family"].choices = [
            *((key, f"{f.display_name} ({f.reference})") for key, f in self.candidates.items()),
            ("new", _("No, this is a new family")),
        ]
        if not candidates:
            self.fields["family"].initial = "new"
        self.key_workers = {user.pk: user for user in key_workers}
        self.fields["lead"].choices = [
            ("", _("Choose a key worker")),
            *((user.pk, user.display_name) for user in key_workers),
        ]
        self.services = dict(services)
        self.fields["service"].choices = [("", _("Choose a service")), *services]

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == "accepted" and cleaned.get("lead") not in self.key_workers:
            self.add_error("lead", _("Choose the key worker who will lead the family's work."))
        if decision == "signposted" and cleaned.get("service") not in self.services:
            self.add_error("service", _("Choose a service from the directory."))
        return cleaned

    def chosen_family(self):
        return self.candidates.get(self.cleaned_data.get("family") or "")

    def chosen_lead(self):
        return self.key_workers.get(self.cleaned_data.get("lead") or 0)


# Assessment and needs --------------------------------------------------------------------


class MembersField(forms.ModelMultipleChoiceField):
    """People of the household to tick, each by name; the form's ``__init__`` gives them."""

    def label_from_instance(self, obj):
        return obj.name


class AssessmentForm(forms.Form):
    assessed_on = date_field(
        _("Date of the assessment"), required_message=_("Enter the date of the assessment.")
    )
    members = MembersField(
        label=_("Who the assessment covered"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose who the assessment covered.")},
    )
    summary = forms.CharField(
        label=_("What the family told us"),
        help_text=_("A short summary, in the family's words where you can."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members


HOUSEHOLD = "household"
OWN_SERVICE = "own"


class NeedForm(forms.Form):
    """A need the assessment found. The descriptor and record choices are drawn by the
    page, grouped by headline outcome; this form checks what comes back."""

    member = forms.ChoiceField(
        label=_("Who the need is about"),
        error_messages={"required": _("Choose who the need is about.")},
    )
    descriptor = forms.TypedChoiceField(
        label=_("The need"),
        coerce=int,
        help_text=_("From the outcome framework in use, by headline outcome."),
        error_messages={
            "required": _("Choose the need."),
            "invalid_choice": _("Choose a need from the list."),
        },
    )
    identified_on = date_field(
        _("Date identified"), required_message=_("Enter the date the need was identified.")
    )
    raised_by = forms.ChoiceField(
        label=_("Agency that raised it"),
        error_messages={"required": _("Choose the agency that raised it.")},
    )
    baseline_record = forms.TypedChoiceField(
        label=_("Starting point: an agency record"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("The family's current records. Choose one, or give a rating below."),
        error_messages={"invalid_choice": _("Choose one of this family's current records.")},
    )
    baseline_rating = forms.IntegerField(
        label=_("Or a rating from 1 (worst) to 10 (best)"),
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-2", "inputmode": "numeric"}),
        error_messages={"invalid": _("The rating must be a number from 1 to 10.")},
    )
    note = forms.CharField(
        label=_("Note for staff (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = choices
        self.members = {str(m.pk): m for m in choices.members}
        self.fields["member"].choices = [
            ("", _("Choose who")),
            (HOUSEHOLD, _("The whole household")),
            *((str(m.pk), m.name) for m in choices.members),
        ]
        self.fields["descriptor"].choices = [
            ("", _("Choose the need")),
            *((label, options) for label, options in choices.descriptor_groups),
        ]
        self.agencies = {str(a.pk): a for a in choices.agencies}
        self.fields["raised_by"].choices = [
            ("", _("Choose the agency")),
            (OWN_SERVICE, _("Early help (this service)")),
            *((str(a.pk), a.name) for a in choices.agencies),
        ]
        self.fields["baseline_record"].choices = [
            ("", _("No record: give a rating instead")),
            *((label, options) for label, options in choices.record_groups),
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("baseline_record") and cleaned.get("baseline_rating") is not None:
            self.add_error(
                "baseline_rating", _("Choose an agency record or give a rating, not both.")
            )
        return cleaned

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "member": self.members.get(data["member"]),
            "raised_by": self.agencies.get(data["raised_by"]),
            "identified_on": data["identified_on"],
            "baseline_rating": data["baseline_rating"],
            "note": data["note"],
        }


class NeedRemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this need being taken off?"),
        help_text=_("It is kept, with your reason, but no longer counts."),
        max_length=300,
        error_messages={"required": _("Say why the need is being taken off.")},
    )


class NeedGoalsForm(forms.Form):
    goals = forms.TypedMultipleChoiceField(
        label=_("Goals that meet this need"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose goals of this family's plan.")},
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goals"].choices = choices


class FamilyViewForm(forms.Form):
    view = forms.CharField(
        label=_("Where do you disagree?"),
        help_text=_("Your key worker will read this. Leave it empty if you agree."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


# Closure, step-down and the six months after -------------------------------------------

MET_CHOICES = [("yes", _("Yes, it was met")), ("no", _("No, not yet"))]


class CloseForm(forms.Form):
    """Closing the work: the service decides; this form only asks, one question a need."""

    closed_on = date_field(
        _("When did the work with the family end?"),
        required_message=_("Enter the date the work ended."),
    )
    reason = forms.ChoiceField(
        label=_("Why did the work end?"),
        choices=Episode.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why the work with the family ended.")},
    )
    social_care_referral = forms.CharField(
        label=_("The social care referral (only when stepping up)"),
        help_text=_("Its reference, the date it was made and who it went to."),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    summary = forms.CharField(
        label=_("Closing summary for the family"),
        help_text=_(
            "The family will read this. Use plain words: what went well, what changed, "
            "and where to go if they need help again."
        ),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write a closing summary for the family.")},
    )

    def __init__(self, *args, needs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.needs = list(needs)
        for need in self.needs:
            who = need.member.name if need.member is not None else _("The household")
            self.fields[f"need_{need.pk}"] = forms.ChoiceField(
                label=_("%(who)s: %(need)s. Was this need met?")
                % {"who": who, "need": need.descriptor.text},
                choices=MET_CHOICES,
                widget=forms.RadioSelect,
                error_messages={"required": _("Say whether this need was met.")},
            )

    def need_fields(self):
        return [self[f"need_{need.pk}"] for need in self.needs]

    def met(self) -> dict[int, bool]:
        return {
            need.pk: self.cleaned_data[f"need_{need.pk}"] == "yes"
            for need in self.needs
            if self.cleaned_data.get(f"need_{need.pk}")
        }


class CaseworkSettingsForm(forms.Form):
    read_access_days = forms.IntegerField(
        label=_("How many days can a family still read its plan after its work ends?"),
        help_text=_("They can read it but not change it. 0 means the plan is hidden at once."),
        min_value=0,
        max_value=730,
        error_messages={
            "required": _("Enter a number of days."),
            "invalid": _("Enter a whole number of days, like 90."),
            "min_value": _("Give a number of days from 0 to 730 (two years)."),
            "max_value": _("Give a number of days from 0 to 730 (two years)."),
        },
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
    )


class FollowUpForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("How are things now, compared with when your time with us ended?"),
        choices=FollowUp.Answer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how things are now.")},
    )
    words = forms.CharField(
        label=_("Anything you want to tell us (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


# Chronology --------------------------------------------------------------------------------


class ChronologyFilterForm(forms.Form):
    """Which events to show: about whom, and of which kinds (none ticked: all)."""

    member = forms.TypedMultipleChoiceField(
        label=_("About"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes--small"}),
    )
    kind = forms.MultipleChoiceField(
        label=_("What happened"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes--small"}),
    )

    def __init__(self, *args, members, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.member_names = {m.pk: m.name for m in members}
        self.kind_labels = {k.slug: k.label for k in kinds}
        self.fields["member"].choices = list(self.member_names.items())
        self.fields["kind"].choices = list(self.kind_labels.items())

    def chosen(self) -> tuple[list[int], list[str]]:
        if not self.is_valid():
            return [], []
        return self.cleaned_data["member"], self.cleaned_data["kind"]

    def chosen_labels(self) -> list[str]:
        """The filters used, in words, for the top of a printed page."""
        member_ids, kinds = self.chosen()
        return [self.member_names[m] for m in member_ids] + [
            str(self.kind_labels[k]) for k in kinds
        ]


class ChronologyEntryForm(forms.Form):
    happened_on = date_field(_("When it happened"))
    title = forms.CharField(
        label=_("What happened"),
        max_length=200,
        error_messages={"required": _("Enter what happened.")},
        help_text=_("In a few words, for example 'Home visit with Aisha'"),
    )
    detail = forms.CharField(
        label=_("More detail (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )
    member = forms.TypedChoiceField(
        label=_("Who it is about (optional)"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {m.pk: m for m in members}
        self.fields["member"].choices = [
            ("", _("The whole family")),
            *((m.pk, m.name) for m in members),
        ]
