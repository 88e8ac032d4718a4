from django.contrib import admin

from .models import DutyManager


@admin.register(DutyManager)
class DutyManagerAdmin(admin.ModelAdmin):
    """Who is the duty manager on which day (until the rota has a page of its own)."""

    list_display = ("day", "manager", "set_by")
    ordering = ("-day",)

    def save_model(self, request, obj, form, change):
        from . import services

        services.duty_manager_set(day=obj.day, manager=obj.manager, actor=request.user)
