from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Agency, Family, FamilyMember, SafeContact, User


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, on fields where it names them (the
    rest above the form, in its error summary)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class FamilySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search by family name, reference or person"), required=False, max_length=80
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Family.Status.choices],
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to open this family's record?"),
        help_text=_(
            "For example: covering for their key worker who is on leave. This is recorded."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=1000,
        error_messages={
            "required": _("Say why you need to see this family's record."),
            "min_length": _("Say a little more about why you need this record."),
        },
    )


class InvitationForm(forms.Form):
    name = forms.CharField(
        label=_("Their name"),
        max_length=80,
        error_messages={"required": _("Enter the name of the person you are inviting.")},
    )
    relationship = forms.ChoiceField(
        label=_("Who are they in the family?"),
        choices=[c for c in FamilyMember.Relationship.choices if c[0] != "child"],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who they are in the family.")},
    )
    email = forms.EmailField(
        label=_("Their email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": _("Enter their email address."),
            "invalid": _("Enter an email address in the right format, like name@example.com."),
        },
    )


class FamilyMemberForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=80, error_messages={"required": _("Enter the person's name.")}
    )
    relationship = forms.ChoiceField(
        label=_("Who are they in the family?"),
        choices=FamilyMember.Relationship.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who they are in the family.")},
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth (optional)"),
        required=False,
        help_text=_("For example, 27/03/2015"),
        error_messages={"invalid": _("Enter a real date, like 27/03/2015.")},
    )


class AcceptInvitationForm(forms.Form):
    preferred_name = forms.CharField(
        label=_("What should we call you?"),
        max_length=80,
        required=False,
        help_text=_("This is the name your key worker and mentor will see."),
    )
    password1 = forms.CharField(
        label=_("Create a password"),
        help_text=_("At least 10 characters. A few words together are easy to remember."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Create a password.")},
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Type the password again.")},
    )

    def __init__(self, *args, email="", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        from django.contrib.auth import password_validation

        from .models import User

        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords are different. Type them again."))
        elif p1:
            try:
                password_validation.validate_password(p1, User(email=self.email))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class FamilyCreateForm(forms.Form):
    display_name = forms.CharField(
        label=_("Family name"),
        max_length=80,
        help_text=_("The name the family chose, for example 'The Khan family'."),
        error_messages={"required": _("Enter the family's name.")},
    )
    ward = forms.CharField(label=_("Area (ward)"), max_length=80, required=False)
    preferred_language = forms.CharField(
        label=_("Language the family prefers"), max_length=40, required=False
    )
    # So a referral for a family already known finds it (casework's possible duplicates).
    surname = forms.CharField(
        label=_("Surname (optional)"),
        help_text=_("The surname most of the household uses."),
        max_length=80,
        required=False,
    )
    postcode = forms.CharField(
        label=_("Postcode (optional)"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )


def date_field(label, *, required=True, required_message=None):
    """A date typed as people write it (27/03/2026), with the service's own messages."""
    return forms.DateField(
        label=label,
        required=required,
        help_text=_("For example, 27/03/2026"),
        error_messages={
            "required": required_message or _("Enter the date."),
            "invalid": _("Enter a real date, like 27/03/2026."),
        },
    )


class TeamDatesForm(forms.Form):
    role = forms.CharField(
        label=_("Role"),
        help_text=_("What they do for the family, for example: attendance officer"),
        max_length=120,
        required=False,
    )
    starts = date_field(_("Start date"), required_message=_("Enter the start date."))
    ends = date_field(_("End date (optional)"), required=False)

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends and ends < starts:
            self.add_error("ends", _("The end date must be the same as or after the start date."))
        return cleaned


class TeamAddForm(TeamDatesForm):
    practitioner: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        label=_("Practitioner"),
        queryset=None,
        empty_label=_("Choose a practitioner"),
        error_messages={"required": _("Choose a practitioner from the list.")},
    )
    agency: "forms.ModelChoiceField[Agency]" = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=None,
        empty_label=_("Choose an agency"),
        error_messages={
            "required": _("Choose an agency from the list."),
            "invalid_choice": _("Choose an agency from the list."),
        },
    )

    field_order = ["practitioner", "agency", "role", "starts", "ends"]

    def __init__(self, *args, **kwargs):
        from .models import StaffProfile

        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = (
            User.objects.filter(staff_profile__role=StaffProfile.Role.PARTNER, is_active=True)
            .select_related("staff_profile")
            .order_by("first_name", "last_name")
        )
        self.fields["practitioner"].label_from_instance = lambda user: (
            f"{user.display_name}, {user.staff_profile.job_title}"
            if user.staff_profile.job_title
            else user.display_name
        )
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True).order_by("name")


class LeadTransferForm(forms.Form):
    to: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        label=_("New key worker"),
        queryset=None,
        empty_label=_("Choose a key worker"),
        error_messages={
            "required": _("Choose a key worker from the list."),
            "invalid_choice": _("Choose a key worker from the list."),
        },
    )
    note = forms.CharField(
        label=_("Note for the new key worker"),
        help_text=_(
            "What they need to know first: how the family likes to be contacted, what is "
            "happening now, what you promised. The family does not see this note."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=2000,
        error_messages={
            "required": _("Write a note for the new key worker: what they need to know first."),
        },
    )

    def __init__(self, *args, key_workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = key_workers
        self.fields["to"].label_from_instance = lambda user: user.display_name


class TeamRemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are they leaving the team?"),
        help_text=_(
            "For example: the family moved school. This is recorded and managers can see it."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=10,
        max_length=1000,
        error_messages={
            "required": _("Say why this person is leaving the team."),
            "min_length": _("Say a little more about why this person is leaving the team."),
        },
    )


class AgencyForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the agency"),
        help_text=_("For example, Foleshill Primary School"),
        max_length=120,
        error_messages={"required": _("Enter the agency's name.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind of agency"),
        choices=[("", _("Choose a kind")), *Agency.Kind.choices],
        error_messages={"required": _("Choose what kind of agency it is.")},
    )


class AgencyRenameForm(forms.Form):
    name = forms.CharField(
        label=_("New name"),
        max_length=120,
        error_messages={"required": _("Enter the agency's name.")},
    )


class AgencyRetireForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this agency no longer used?"),
        help_text=_("For example: merged into the new health visiting service."),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=1000,
        error_messages={
            "required": _("Say why this agency is no longer used."),
            "min_length": _("Say a little more about why this agency is no longer used."),
        },
    )


class AuditFilterForm(forms.Form):
    family = forms.CharField(label=_("Family reference"), required=False, max_length=20)
    staff = forms.EmailField(
        label=_("Staff email address"),
        required=False,
        error_messages={
            "invalid": _("Enter an email address in the right format, like name@example.com.")
        },
    )


class SafeContactForm(forms.Form):
    """How and when it is safe to contact a parent, in GOV.UK checkboxes and radios."""

    PORTAL_ONLY = "portal"
    ways = forms.MultipleChoiceField(
        label=_("Apart from messages on this site, how is it safe for us to contact you?"),
        help_text=_("Select all that apply."),
        choices=[
            ("email", _("Email")),
            ("text", _("Text message")),
            ("phone", _("Phone call")),
            (PORTAL_ONLY, _("Only through messages on this site")),
        ],
        widget=forms.CheckboxSelectMultiple(attrs={"exclusive": PORTAL_ONLY}),
        error_messages={
            "required": _(
                "Choose how it is safe to contact you, or choose only through messages on this site."
            )
        },
    )
    phone = forms.CharField(
        label=_("Phone number that is safe to use (optional)"),
        help_text=_("We only need this for texts or calls."),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "class": "govuk-input--width-20"}
        ),
    )
    days = forms.TypedMultipleChoiceField(
        label=_("Which days are best?"),
        help_text=_("Leave these empty if any day is fine."),
        choices=SafeContact.Day.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    times = forms.MultipleChoiceField(
        label=_("What times of day are best?"),
        help_text=_("Leave these empty if any time is fine."),
        choices=SafeContact.Time.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    leave_messages = forms.ChoiceField(
        label=_("If you do not answer, can we leave a message?"),
        choices=[
            ("yes", _("Yes, you can leave a message")),
            ("no", _("No, do not leave messages")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether we can leave a message.")},
    )
    safe_word = forms.CharField(
        label=_("Safe word (optional)"),
        help_text=_(
            "A word only you and your key worker know. They see it before they call you. "
            "You can ask for it to check it is really them, or say it to tell them it is "
            "not safe to talk."
        ),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "govuk-input--width-20"}),
    )
    remove_safe_word = forms.BooleanField(label=_("Remove my safe word"), required=False)

    def __init__(self, *args, has_safe_word=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_safe_word = has_safe_word
        if has_safe_word:
            self.fields["safe_word"].label = _("Change your safe word (optional)")
            self.fields["safe_word"].help_text = _(
                "You have a safe word. We do not show it here, in case someone is looking. "
                "Leave this empty to keep it."
            )
        else:
            del self.fields["remove_safe_word"]

    @classmethod
    def initial_for(cls, contact: SafeContact | None) -> dict:
        if contact is None:
            return {}
        ways = [
            way
            for way, allowed in (
                ("email", contact.by_email),
                ("text", contact.by_text),
                ("phone", contact.by_phone),
            )
            if allowed
        ]
        return {
            "ways": ways or [cls.PORTAL_ONLY],
            "phone": contact.phone,
            "days": contact.days,
            "times": contact.times,
            "leave_messages": "yes" if contact.leave_messages else "no",
        }

    def clean(self):
        cleaned = super().clean()
        ways = set(cleaned.get("ways") or [])
        if self.PORTAL_ONLY in ways and len(ways) > 1:
            self.add_error(
                "ways",
                _("Choose only through messages on this site, or other ways, but not both."),
            )
        if ways & {"text", "phone"} and not cleaned.get("phone", "").strip():
            self.add_error(
                "phone", _("Enter a phone number that is safe to use for texts or calls.")
            )
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        ways = set(data["ways"])
        return {
            "by_email": "email" in ways,
            "by_text": "text" in ways,
            "by_phone": "phone" in ways,
            "phone": data["phone"],
            "days": data["days"],
            "times": data["times"],
            "leave_messages": data["leave_messages"] == "yes",
            "safe_word": data["safe_word"],
            "remove_safe_word": data.get("remove_safe_word", False),
        }


class MemberRemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are they leaving the household?"),
        help_text=_(
            "For example: moved out on 1 December; a court order says he may not contact "
            "the family. This is recorded and managers can see it."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=10,
        max_length=1000,
        error_messages={
            "required": _("Say why this person is leaving the household."),
            "min_length": _("Say a little more about why this person is leaving."),
        },
    )
