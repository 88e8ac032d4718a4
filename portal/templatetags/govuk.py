"""GOV.UK Frontend markup for Django forms: one way of rendering fields everywhere."""

from django import forms, template

register = template.Library()


def _kind(field) -> str:
    widget = field.field.widget
    # Django's CheckboxSelectMultiple subclasses RadioSelect, so it is asked about first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        return "file"
    if isinstance(widget, forms.MultipleHiddenInput):
        return "hidden_many"
    if isinstance(widget, forms.HiddenInput):
        plain = not widget.attrs and not widget.is_localized and not field.field.disabled
        return "hidden" if plain else "hidden_many"
    return "input"


@register.inclusion_tag("portal/forms/field.html")
def govuk_field(field, label_size="", hint="", classes=""):
    """Render one bound field with its label, hint and errors in GOV.UK style."""
    widget = field.field.widget
    input_type = widget.attrs.get("type") or getattr(widget, "input_type", "text")
    return {
        "field": field,
        "kind": _kind(field),
        "input_type": input_type,
        "hint": hint or field.help_text,
        "label_size": label_size,
        "classes": classes or widget.attrs.get("class", ""),
        "describedby": " ".join(
            part
            for part, present in (
                (f"{field.auto_id}-hint", bool(hint or field.help_text)),
                (f"{field.auto_id}-error", bool(field.errors)),
            )
            if present
        ),
    }


@register.inclusion_tag("portal/forms/error_summary.html")
def govuk_error_summary(*forms_):
    """The error summary for one or more forms, linking each message to its field."""
    errors = []
    for form in forms_:
        if not form or not getattr(form, "errors", None):
            continue
        for message in form.non_field_errors():
            errors.append({"message": message, "href": ""})
        for field in form:
            target = field.auto_id
            if _kind(field) in {"radios", "checkboxes"}:
                target = f"{field.auto_id}_0"
            for message in field.errors:
                errors.append({"message": message, "href": f"#{target}"})
    return {"errors": errors}


@register.inclusion_tag("portal/forms/fields.html")
def govuk_fields(form, summary=True):
    """Error summary (optional) and every field of a form."""
    return {"form": form, "summary": summary}


@register.filter
def field_kind(field):
    return _kind(field)


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current address with only the page number changed, for pagination links."""
    params = context["request"].GET.copy()
    params["page"] = number
    return f"?{params.urlencode()}"


@register.inclusion_tag("portal/includes/pagination.html", takes_context=True)
def govuk_pagination(context, page):
    return {"page": page, "request": context["request"]}
