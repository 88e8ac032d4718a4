from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AccessGrant, AuditEvent, Family, FamilyMember, StaffProfile, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name", "preferred_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Name"), {"fields": ("first_name", "last_name", "preferred_name")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "agency", "job_title"]
    list_filter = ["role", "agency"]
    autocomplete_fields = ["user", "manager"]


class FamilyMemberInline(admin.TabularInline):
    model = FamilyMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Family)
class FamilyAdmin(admin.ModelAdmin):
    """Managers set up families and caseloads here. Opening a family is audited."""

    list_display = ["display_name", "reference", "status", "lead_key_worker"]
    list_filter = ["status"]
    search_fields = ["display_name", "reference"]
    inlines = [FamilyMemberInline]
    # Where a family is in the programme, and who leads it, change only through the
    # portal's own pages (their services audit each change and tell the people involved).
    readonly_fields = ["status", "lead_key_worker"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        from . import access

        family = Family.objects.filter(pk=object_id).first()
        if family is not None:
            access.audit_record(
                actor=request.user,
                action="view",
                family=family,
                record=family,
                reason="Opened in the admin",
                path=request.path,
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "family", "object_type", "reason"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor__email", "family__reference", "reason"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessGrant)
class AccessGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "family", "created_at", "expires_at", "reason"]
    readonly_fields = ["user", "family", "reason", "created_at", "expires_at"]
