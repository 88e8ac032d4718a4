"""The editorial workflow's task: a second editor approves what the first one wrote."""

from django.utils.translation import gettext_lazy as _
from wagtail.models import AbstractGroupApprovalTask, TaskState


class SecondEditorApprovalTask(AbstractGroupApprovalTask):
    """Approval by someone in the chosen groups other than the person who asked for it."""

    class Meta:
        verbose_name = _("Second editor approval")
        verbose_name_plural = _("Second editor approvals")

    @staticmethod
    def _requested_by_user(obj, user) -> bool:
        state = getattr(obj, "current_workflow_state", None)
        return bool(state and state.requested_by_id == user.pk)

    def get_actions(self, obj, user):
        if self._requested_by_user(obj, user):
            return []
        return super().get_actions(obj, user)

    def locked_for_user(self, obj, user):
        return super().locked_for_user(obj, user) or self._requested_by_user(obj, user)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        return states.exclude(workflow_state__requested_by=user)

    def on_action(self, task_state: TaskState, user, action_name, **kwargs):
        if task_state.workflow_state.requested_by_id == getattr(user, "pk", None):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(_("Someone else must approve what you wrote."))
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return _("A second editor checks the page and approves it; you cannot approve your own.")
