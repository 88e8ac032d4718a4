from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Availability, ContactLog, Experience, Mentor, ProfilePart

DATE_HINT = _("For example, 27/03/2026")
DATE_ERROR = _("Enter a real date, like 27/03/2026.")


class FindMentorForm(forms.Form):
    """What the parent tells us to help choose a mentor. Every answer is optional."""

    free_when = forms.MultipleChoiceField(
        label=_("When could you meet or talk?"),
        choices=Availability.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    wants_accompany = forms.BooleanField(
        label=_("I would like someone to come with me to appointments"), required=False
    )


class KeyWorkerFindForm(FindMentorForm):
    parent_is_dad = forms.BooleanField(label=_("The mentor is for a dad"), required=False)


class AskMentorForm(forms.Form):
    message = forms.CharField(
        label=_("A message for the mentor (optional)"),
        help_text=_("Say a little about what you would like help with. Keep it short."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=500,
        required=False,
        error_messages={"max_length": _("Keep your message to 500 characters or fewer.")},
    )


class ApplyForm(forms.Form):
    why_mentor = forms.CharField(
        label=_("Why would you like to be a peer mentor?"),
        help_text=_("A few sentences is fine. A manager will call you to talk about it."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=1500,
        error_messages={"required": _("Tell us why you would like to be a peer mentor.")},
    )


class RecordApplicationForm(ApplyForm):
    email = forms.EmailField(
        label=_("Their email address"),
        help_text=_("They must already have an account on this site."),
        error_messages={
            "required": _("Enter their email address."),
            "invalid": _("Enter an email address in the right format, like name@example.com."),
        },
    )
    field_order = ["email", "why_mentor"]


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("The name families see"),
        help_text=_("Your first name, or the name you like to go by. Never your surname."),
        max_length=40,
        error_messages={"required": _("Enter the name you want families to see.")},
    )
    story = forms.CharField(
        label=_("Your story"),
        help_text=_("In your own words: what you went through and what helped."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=1200,
        required=False,
    )
    experiences = forms.MultipleChoiceField(
        label=_("What have you been through that you could talk about?"),
        choices=Experience.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    languages = forms.CharField(
        label=_("Languages you speak"),
        help_text=_("Separate them with commas, for example: English, Urdu"),
        max_length=200,
        required=False,
    )
    ward = forms.CharField(
        label=_("The area you live in"),
        help_text=_("Your ward, like Foleshill. Not your address."),
        max_length=80,
        required=False,
    )
    availability = forms.MultipleChoiceField(
        label=_("When are you usually free?"),
        choices=Availability.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    can_accompany = forms.BooleanField(
        label=_("I can go with a parent to appointments"), required=False
    )
    capacity = forms.TypedChoiceField(
        label=_("How many families can you support at once?"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how many families you can support at once.")},
    )
    is_dad = forms.BooleanField(label=_("I am a dad"), required=False)
    prefers_dads = forms.BooleanField(label=_("I would most like to support dads"), required=False)
    shown = forms.MultipleChoiceField(
        label=_("What can families see on your profile?"),
        help_text=_(
            "Families always see the name above. They never see your surname, address, phone or email."
        ),
        choices=ProfilePart.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    @classmethod
    def initial_for(cls, mentor: Mentor) -> dict:
        return {
            "display_name": mentor.display_name,
            "story": mentor.story,
            "experiences": mentor.experiences,
            "languages": ", ".join(mentor.languages),
            "ward": mentor.ward,
            "availability": mentor.availability,
            "can_accompany": mentor.can_accompany,
            "capacity": mentor.capacity,
            "is_dad": mentor.is_dad,
            "prefers_dads": mentor.prefers_dads,
            "shown": mentor.shown,
        }

    def clean_languages(self):
        return [part.strip() for part in self.cleaned_data["languages"].split(",") if part.strip()]


class RespondForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Can you support this family?"),
        choices=[("accept", _("Yes, I can support them")), ("decline", _("No, not right now"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no.")},
    )


class ProposalAnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Would you like this mentor?"),
        choices=[("yes", _("Yes, ask them")), ("no", _("No, thank you"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no.")},
    )


class EndMatchForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it ending?"),
        help_text=_(
            "A few words for the key worker, for example: we do not need support any more."
        ),
        max_length=300,
        min_length=3,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Say in a few words why the match is ending."),
            "min_length": _("Say in a few words why the match is ending."),
            "max_length": _("Keep the reason to 300 characters or fewer."),
        },
    )


class ContactLogForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What happened?"),
        choices=ContactLog.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happened.")},
    )
    happened_on = forms.DateField(
        label=_("When?"),
        help_text=DATE_HINT,
        error_messages={"required": _("Enter the date."), "invalid": DATE_ERROR},
    )
    summary = forms.CharField(
        label=_("A few words (optional)"),
        help_text=_("The family can read this. Keep it short; it is not a case note."),
        max_length=280,
        required=False,
        error_messages={"max_length": _("Keep it to 280 characters or fewer.")},
    )


class ChecksForm(forms.Form):
    dbs_checked_on = forms.DateField(
        label=_("DBS check date"),
        help_text=DATE_HINT,
        required=False,
        error_messages={"invalid": DATE_ERROR},
    )
    references_checked_on = forms.DateField(
        label=_("Date references were received"),
        help_text=DATE_HINT,
        required=False,
        error_messages={"invalid": DATE_ERROR},
    )
    training_completed_on = forms.DateField(
        label=_("Date training was completed"),
        help_text=DATE_HINT,
        required=False,
        error_messages={"invalid": DATE_ERROR},
    )
    code_agreed_on = forms.DateField(
        label=_("Date they agreed to the volunteer code"),
        help_text=DATE_HINT,
        required=False,
        error_messages={"invalid": DATE_ERROR},
    )

    @classmethod
    def initial_for(cls, mentor: Mentor) -> dict:
        # Shown the UK way, as people type them.
        return {
            name: value.strftime("%d/%m/%Y")
            for name in cls.base_fields
            if (value := getattr(mentor, name)) is not None
        }


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=Mentor.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a status.")},
    )
    reason = forms.CharField(
        label=_("Reason (optional)"),
        help_text=_("If you stop a mentor, families are told their match has ended."),
        max_length=300,
        required=False,
    )


class SupervisionNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Supervision note"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=3000,
        error_messages={"required": _("Write the supervision note.")},
    )
    shared_with_mentor = forms.BooleanField(
        label=_("The mentor can read this note"), required=False, initial=True
    )
