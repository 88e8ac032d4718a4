"""The lists managers keep are also in the Django admin for superusers."""

from django.contrib import admin

from .models import InterventionTemplate, JargonTerm, OutcomeArea


@admin.register(OutcomeArea)
class OutcomeAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order", "active"]
    list_editable = ["order", "active"]

    def get_readonly_fields(self, request, obj=None):
        return ["slug"] if obj else []


@admin.register(JargonTerm)
class JargonTermAdmin(admin.ModelAdmin):
    list_display = ["term", "alternative", "active"]
    search_fields = ["term"]


@admin.register(InterventionTemplate)
class InterventionTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "who", "provider", "status"]
    list_filter = ["outcome_areas", "status"]
    search_fields = ["title", "summary", "step_text"]
