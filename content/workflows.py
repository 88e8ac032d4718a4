"""What happens when a page's review is approved (``WAGTAIL_FINISH_WORKFLOW_ACTION``)."""


def publish_approved(workflow_state, user=None):
    """Publish the approved revision.

    Editors cannot publish pages themselves, which is what makes the second editor's
    approval necessary; so the approval publishes without that permission check.
    The approving editor is still recorded as the publisher in the page history.
    """
    revision = workflow_state.content_object.get_latest_revision()
    revision.publish(user=user, skip_permission_checks=True)
