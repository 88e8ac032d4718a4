"""Forms families and staff fill in on the content site."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ResourcePage


class ResourceFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of page"),
        required=False,
        choices=[("", _("All kinds")), *ResourcePage.Kind.choices],
    )
    for_dads = forms.BooleanField(label=_("Only show things for dads"), required=False)


class SessionFilterForm(forms.Form):
    for_dads = forms.BooleanField(label=_("Only show groups for dads"), required=False)
    children_welcome = forms.BooleanField(
        label=_("Only show groups where children can come"), required=False
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for help, groups and local services"),
        max_length=100,
        required=False,
    )


class ServiceFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name or what it offers"), max_length=100, required=False)
    category = forms.ChoiceField(label=_("Kind of help"), required=False, choices=[])
    age = forms.IntegerField(
        label=_("Age of the person who needs help (optional)"),
        required=False,
        min_value=0,
        max_value=120,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("Enter an age in years, like 7."),
            "min_value": _("Enter an age of 0 or more."),
            "max_value": _("Enter an age of 120 or less."),
        },
    )
    free_only = forms.BooleanField(label=_("Only show free services"), required=False)
    for_dads = forms.BooleanField(label=_("Only show services for dads"), required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", _("Any kind of help")),
            *[(str(term.uid), term.name) for term in categories],
        ]


class BookingForm(forms.Form):
    companions = forms.MultipleChoiceField(
        label=_("Who is coming with you?"),
        help_text=_(
            "Choose anyone from your family who is coming too. Leave blank if it is just you."
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose people from your family.")},
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["companions"].choices = [(str(m.pk), m.name) for m in members]


class AttendanceForm(forms.Form):
    """One yes/no per confirmed booking, named ``attended_<booking id>``."""

    def __init__(self, *args, bookings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.bookings = list(bookings)
        for booking in self.bookings:
            self.fields[f"attended_{booking.pk}"] = forms.ChoiceField(
                label=booking.member.name,
                choices=[("yes", _("Came")), ("no", _("Did not come"))],
                widget=forms.RadioSelect,
                required=False,
                initial={True: "yes", False: "no"}.get(booking.attended, ""),
            )

    def marks(self) -> dict[int, bool]:
        return {
            booking.pk: self.cleaned_data[f"attended_{booking.pk}"] == "yes"
            for booking in self.bookings
            if self.cleaned_data.get(f"attended_{booking.pk}")
        }


class SessionInvitationForm(forms.Form):
    member = forms.ChoiceField(
        label=_("Which dad are you inviting?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the dad you are inviting.")},
    )
    occurrence = forms.ChoiceField(
        label=_("Which session?"),
        error_messages={
            "required": _("Choose a session."),
            "invalid_choice": _("Choose a session from the list."),
        },
    )
    message = forms.CharField(
        label=_("A short note (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The dad sees this. Do not include private details."),
    )

    def __init__(self, *args, fathers=(), occurrences=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(str(m.pk), m.name) for m in fathers]
        self.fields["occurrence"].choices = [
            ("", _("Choose a session")),
            *[(str(o.pk), str(o)) for o in occurrences],
        ]
