from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Family, FamilyMember, User


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


class PractitionerForm(forms.Form):
    practitioner: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        label=_("Practitioner"),
        queryset=None,
        empty_label=_("Choose a practitioner"),
        error_messages={"required": _("Choose a practitioner from the list.")},
    )

    def __init__(self, *args, **kwargs):
        from .models import StaffProfile

        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = (
            User.objects.filter(staff_profile__role=StaffProfile.Role.PARTNER, is_active=True)
            .select_related("staff_profile")
            .order_by("first_name", "last_name")
        )
        self.fields["practitioner"].label_from_instance = lambda user: (
            f"{user.display_name} ({user.staff_profile.get_agency_display()})"
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
