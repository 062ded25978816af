"""The portal's own queue on the workbench (工作台): roles waiting for the approver."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.actors import Viewer
from portal.models import StaffProfile
from portal.worklist import WorkQueue


def workbench_queues(user: Viewer) -> list[WorkQueue]:
    """角色待批准, for those who approve roles (街道党工委书记): one count query."""
    if not (
        user.has_perm("portal.approve_staffprofile") and user.has_perm("portal.view_staffprofile")
    ):
        return []
    return [
        WorkQueue(
            key="roles_to_approve",
            label=_("角色待批准"),
            count=StaffProfile.objects.awaiting_approval_by(user).count(),
            url=reverse("admin:portal_staffprofile_changelist") + "?approval=pending",
            tone="warning",
            help=_("系统管理员设定或暂停的角色与范围，批准后才能查看和办理记录。"),
        )
    ]
