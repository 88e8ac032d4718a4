"""Forms for plans. Messages follow the GOV.UK error message style."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    SECTION_MAX,
    STEP_MAX,
    TEXT_MAX,
    TITLE_MAX,
    GoalRating,
    GoalShare,
    OutcomeArea,
    Suggestion,
    Who,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from portal.models import FamilyMember


def _too_long(label: StrOrPromise, limit: int) -> str:
    return _("%(label)s must be %(max)d characters or fewer") % {"label": label, "max": limit}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class VersionedForm(forms.Form):
    """A form that saves over the version of its record the writer last saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_version(self):
        return self.cleaned_data.get("version") or 1

    def rebase(self, version: int) -> None:
        """Keep the writer's words but save over ``version`` from now on: after a
        conflict they are shown the newer text, so their next save may replace it."""
        data = cast(QueryDict, self.data).copy()  # bound from request.POST
        data["version"] = str(version)
        self.data = data
        self.full_clean()


class PrivateWorryForm(VersionedForm):
    my_worries = forms.CharField(
        label=_("What I am worried about, just for my key worker"),
        help_text=_(
            "Only you and your key worker can read this. No one else in your family sees it "
            "or hears about it, and it is not part of the plan your family agrees."
        ),
        required=False,
        max_length=SECTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _too_long(_("What you are worried about"), SECTION_MAX)},
    )


class AboutForm(VersionedForm):
    strengths = forms.CharField(
        label=_("What is going well"),
        help_text=_("Things your family is good at, people who help you, what you are proud of."),
        required=False,
        max_length=SECTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _too_long(_("What is going well"), SECTION_MAX)},
    )
    worries = forms.CharField(
        label=_("What we are worried about"),
        required=False,
        max_length=SECTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _too_long(_("What you are worried about"), SECTION_MAX)},
    )


class Privacy(forms.ChoiceField):
    """Who sees a goal or step: the family, or only the writer and their key worker.
    Cleans to True (only me), False (the family) or None (not asked)."""

    FAMILY, ME = "family", "me"

    def __init__(self, *, label, help_text, **kwargs):
        super().__init__(
            label=label,
            help_text=help_text,
            required=False,
            choices=[
                (self.FAMILY, _("Everyone in our family, and our key worker")),
                (self.ME, _("Only me and my key worker")),
            ],
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": _("Choose who can see this")},
            **kwargs,
        )

    def clean(self, value):
        value = super().clean(value)
        return None if not value else value == self.ME

    def require(self, message) -> None:
        """For a new goal or step: nothing is saved (not even by the autosave) until the
        writer has chosen, so a goal meant to be private is never the family's first.
        Neither answer is chosen for them (GOV.UK: do not pre-select radios)."""
        self.required = True
        self.error_messages["required"] = message


def privacy_initial(record) -> str:
    return Privacy.ME if record.private_to_id else Privacy.FAMILY


class GoalForm(VersionedForm):
    # First on the form: the choice is made before the autosave first saves the goal.
    private = Privacy(
        label=_("Who can see this goal?"),
        help_text=_(
            "If you choose only you, no one else in your family will see this goal or hear "
            "about it. Your key worker can see it. You can show it to your family later."
        ),
    )
    goal_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    draft_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    suggestion = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(
        label=_("What we want to change"),
        help_text=_("In your own words. For example: 'I need to get the kids to school on time'."),
        max_length=TITLE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Enter what you want to change"),
            "max_length": _too_long(_("What you want to change"), TITLE_MAX),
        },
    )
    details = forms.CharField(
        label=_("How we will change"),
        help_text=_("For example: 'I'll walk with the other parents on our route'."),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _too_long(_("How you will change"), TEXT_MAX)},
    )
    how_we_know = forms.CharField(
        label=_("How we will know it has worked"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _too_long(_("How you will know it has worked"), TEXT_MAX)},
    )
    outcome_areas = forms.ModelMultipleChoiceField(
        label=_("What is this goal about?"),
        help_text=_("Choose any that fit. You can leave this for your key worker."),
        queryset=OutcomeArea.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose from the areas in the list")},
    )

    def __init__(self, *args, ask_privacy=True, new=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_privacy:
            del self.fields["private"]
        elif new:
            self.fields["private"].require(_("Choose who can see this goal"))


def who_choices(family, *, members, practitioners) -> list[tuple[str, StrOrPromise]]:
    choices: list[tuple[str, StrOrPromise]] = [("", _("Choose who"))]
    choices += [(f"member:{m.pk}", m.name) for m in members]
    choices.append((Who.MENTOR.value, str(Who.MENTOR.label)))
    choices.append((Who.KEY_WORKER.value, str(Who.KEY_WORKER.label)))
    choices += [(f"partner:{p.pk}", p.name_with_agency) for p in practitioners]
    choices.append((Who.OTHER.value, _("Other people, such as parents on the school route")))
    return choices


class StepForm(VersionedForm):
    private = Privacy(
        label=_("Who can see this step?"),
        help_text=_(
            "If you choose only you, no one else in your family will see this step or hear "
            "about it. Your key worker can see it."
        ),
    )
    step_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    draft_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    template = forms.IntegerField(widget=forms.HiddenInput, required=False)
    suggestion = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(
        label=_("What will happen"),
        max_length=STEP_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Enter what will happen"),
            "max_length": _too_long(_("What will happen"), STEP_MAX),
        },
    )
    who = forms.ChoiceField(
        label=_("Who will do it"),
        error_messages={
            "required": _("Choose who will do this"),
            "invalid_choice": _("Choose someone who is on the plan"),
        },
    )
    other_people = forms.CharField(
        label=_("If it is other people, who are they?"),
        help_text=_("For example: 'the other parents on our route'."),
        required=False,
        max_length=120,
        error_messages={"max_length": _too_long(_("Who the other people are"), 120)},
    )
    due_date = forms.DateField(
        label=_("By when (optional)"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Enter a real date, for example 27/03/2027")},
    )

    def __init__(self, *args, who_choices=(), ask_privacy=True, new=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["who"].choices = who_choices
        if not ask_privacy:
            del self.fields["private"]
        elif new:
            self.fields["private"].require(_("Choose who can see this step"))


class SuggestionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What are you suggesting?"),
        choices=Suggestion.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you are suggesting a goal or a step")},
    )
    goal = forms.TypedChoiceField(
        label=_("Which goal is the step for?"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose the goal this step is for")},
    )
    for_whom = forms.ChoiceField(
        label=_("Who is it for?"),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose an adult in the family who uses this site")},
    )
    template = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(
        label=_("Your suggestion"),
        help_text=_("Write it the way the family would say it. They can accept or rewrite it."),
        max_length=STEP_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "class": "js-plain-english"}),
        error_messages={
            "required": _("Enter your suggestion"),
            "max_length": _too_long(_("Your suggestion"), STEP_MAX),
        },
    )

    def __init__(self, *args, goals=(), adults=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].choices = [("", _("Not about a step"))] + [
            (g.pk, g.title) for g in goals
        ]
        # A step for a private goal is for its adult alone whatever is chosen here.
        self.fields["for_whom"].choices = [("", _("Everyone in the family"))] + [
            (str(m.pk), _("Only %(name)s: no one else in the family sees it") % {"name": m.name})
            for m in adults
        ]

    def clean(self):
        data = super().clean()
        if data.get("kind") == Suggestion.Kind.STEP and not data.get("goal"):
            self.add_error("goal", _("Choose the goal this step is for"))
        return data


class StepSuggestionForm(forms.Form):
    """A step suggested for one goal (by a partner on the goals shared with them)."""

    text = forms.CharField(
        label=_("The step you suggest"),
        help_text=_("Write it the way the family would say it. They can accept or rewrite it."),
        max_length=STEP_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "class": "js-plain-english"}),
        error_messages={
            "required": _("Enter your suggestion"),
            "max_length": _too_long(_("Your suggestion"), STEP_MAX),
        },
    )


class CommentForm(forms.Form):
    goal = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(
        label=_("Add a comment"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Enter your comment"),
            "max_length": _too_long(_("Your comment"), TEXT_MAX),
        },
    )


class SharingForm(forms.Form):
    """One group of checkboxes per goal: who the family lets see it."""

    def __init__(self, *args, goals, practitioners, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(GoalShare.Audience.MENTOR.value, _("Our peer mentor"))]
        choices += [
            (
                f"partner:{p.pk}",
                f"{p.user.display_name} ({p.user.staff_profile.get_agency_display()})"
                if hasattr(p.user, "staff_profile")
                else p.user.display_name,
            )
            for p in practitioners
        ]
        for goal in goals:
            initial = [
                GoalShare.Audience.MENTOR.value
                if share.audience == GoalShare.Audience.MENTOR
                else f"partner:{share.practitioner_id}"
                for share in goal.live_shares
            ]
            self.fields[f"goal_{goal.pk}"] = forms.MultipleChoiceField(
                label=goal.title,
                choices=choices,
                required=False,
                initial=initial,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": _("Choose people who are named on your plan")},
            )

    def wanted(self) -> set[tuple[int, str, int | None]]:
        keys: set[tuple[int, str, int | None]] = set()
        for name, values in self.cleaned_data.items():
            goal_id = int(name.removeprefix("goal_"))
            for value in values:
                if value == GoalShare.Audience.MENTOR:
                    keys.add((goal_id, GoalShare.Audience.MENTOR.value, None))
                else:
                    keys.add((goal_id, GoalShare.Audience.PARTNER.value, int(value.split(":")[1])))
        return keys


class SignatoriesForm(forms.Form):
    signatories: forms.ModelMultipleChoiceField[FamilyMember] = forms.ModelMultipleChoiceField(
        label=_("Who in your family agrees the plan?"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one person to agree the plan"),
            "invalid_choice": _("Choose people in your family who use this site"),
        },
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signatories"].queryset = members


class ConfirmForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)


class ReviewScheduleForm(forms.Form):
    date = forms.DateField(
        label=_("Next review date"),
        help_text=_("The date you agreed with your key worker."),
        widget=DateInput(),
        error_messages={
            "required": _("Enter the review date"),
            "invalid": _("Enter a real date, for example 27/03/2027"),
        },
    )

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date < timezone.localdate():
            raise ValidationError(_("The review date must be today or in the future"))
        return date


class ReviewForm(forms.Form):
    """A 1 to 10 rating and a note for every goal."""

    def __init__(self, *args, goals, by, **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = list(goals)
        required = by == GoalRating.By.FAMILY
        for goal in self.goals:
            self.fields[f"score_{goal.pk}"] = forms.IntegerField(
                label=_("Rating from 1 to 10"),
                help_text=_(
                    "1 means things are not going well, 10 means they are going really well."
                ),
                required=required,
                widget=forms.NumberInput(
                    attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}
                ),
                error_messages={
                    "required": _("Choose a number from 1 to 10"),
                    "invalid": _("The rating must be a number from 1 to 10"),
                },
            )
            self.fields[f"note_{goal.pk}"] = forms.CharField(
                label=_("Anything to add? (optional)"),
                required=False,
                max_length=TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"max_length": _too_long(_("The note"), TEXT_MAX)},
            )

    def clean(self):
        data = super().clean()
        for goal in self.goals:
            score = data.get(f"score_{goal.pk}")
            if score is not None and not 1 <= score <= 10:
                self.add_error(f"score_{goal.pk}", _("The rating must be a number from 1 to 10"))
        return data

    def pairs(self):
        for goal in self.goals:
            yield goal, self[f"score_{goal.pk}"], self[f"note_{goal.pk}"]


class TemplateSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    outcome = forms.ChoiceField(label=_("Outcome area"), required=False)
    agency = forms.ChoiceField(label=_("Whose idea"), required=False)
    status = forms.ChoiceField(label=_("Show"), required=False)

    def __init__(self, *args, agencies=(), statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", _("All areas"))] + list(
            OutcomeArea.objects.filter(active=True).values_list("slug", "name")
        )
        self.fields["agency"].choices = [
            ("", _("Every agency")),
            ("own", _("The early help service")),
            *((str(pk), name) for pk, name in agencies),
        ]
        self.fields["status"].choices = list(statuses)
        if not statuses:
            del self.fields["status"]

    def clean_agency(self) -> int | str | None:
        """The early help service's own ideas (``"own"``), an agency's id, or any agency."""
        chosen = self.cleaned_data["agency"]
        return int(chosen) if chosen not in ("", "own") else chosen or None


class TemplateForm(forms.Form):
    title = forms.CharField(
        label=_("Name"),
        max_length=120,
        error_messages={"required": _("Enter a name"), "max_length": _too_long(_("The name"), 120)},
    )
    summary = forms.CharField(
        label=_("What it is"),
        help_text=_("Families read this. Short sentences and everyday words."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "js-plain-english"}),
        error_messages={
            "required": _("Say what it is"),
            "max_length": _too_long(_("What it is"), 1000),
        },
    )
    step_text = forms.CharField(
        label=_("A step a family might take"),
        max_length=STEP_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "class": "js-plain-english"}),
        error_messages={
            "required": _("Enter a step"),
            "max_length": _too_long(_("The step"), STEP_MAX),
        },
    )
    who = forms.ChoiceField(label=_("Usually done by"), choices=Who.choices)
    provider = forms.CharField(label=_("Who runs it (optional)"), required=False, max_length=120)
    outcome_areas = forms.ModelMultipleChoiceField(
        label=_("Outcome areas"),
        queryset=OutcomeArea.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    services = forms.TypedMultipleChoiceField(
        label=_("Local services that deliver it (optional)"),
        help_text=_("From the local services directory."),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose services from the directory")},
    )

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].choices = list(services)


class TemplateReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("What do you decide?"),
        choices=[
            ("approve", _("Approve it: put it in the library")),
            ("retire", _("Retire it: take it out of the library")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to approve or retire the idea")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("Needed to retire an idea. The person who proposed it can read it."),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _too_long(_("The reason"), TEXT_MAX)},
    )


class OutcomeAreaForm(forms.Form):
    slug = forms.SlugField(
        label=_("Short name"),
        help_text=_("Letters, numbers and underscores. It cannot be changed later."),
        max_length=40,
        error_messages={
            "required": _("Enter a short name"),
            "invalid": _("Short name must only include letters, numbers, hyphens and underscores"),
        },
    )
    name = forms.CharField(
        label=_("Name"), max_length=120, error_messages={"required": _("Enter a name")}
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    order = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=1000,
        initial=0,
        error_messages={"invalid": _("Order must be a whole number")},
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class JargonForm(forms.Form):
    term = forms.CharField(
        label=_("Word or phrase"),
        max_length=80,
        error_messages={"required": _("Enter the word or phrase")},
    )
    alternative = forms.CharField(
        label=_("Plainer words"),
        max_length=200,
        error_messages={"required": _("Enter plainer words")},
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class PlainEnglishForm(forms.Form):
    text = forms.CharField(required=False, max_length=10000)
