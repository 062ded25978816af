"""The portal's own queues on the workbench (工作台): roles waiting for the approver, and the
system administrator's account work (locked accounts, role changes waiting, accounts without a
role). One count query each."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.actors import Viewer
from portal.models import LoginLockout, StaffProfile, accounts_without_role
from portal.worklist import WorkQueue

LOCKED = "in_force"  # LoginLockoutAdmin's ?lock= value
NO_ROLE = "none"  # PortalUserAdmin's ?role_set= value


def workbench_queues(user: Viewer) -> list[WorkQueue]:
    """角色待批准 for those who approve roles (街道党工委书记); the account queues for those who
    keep accounts (系统管理员)."""
    return _approver_queues(user) + _account_queues(user)


def _account_queues(user: Viewer) -> list[WorkQueue]:
    queues = []
    if user.has_perm("portal.view_loginlockout") and user.has_perm("portal.delete_loginlockout"):
        queues.append(
            WorkQueue(
                key="locked_accounts",
                label=_("登录被锁定的账号"),
                count=LoginLockout.objects.in_force().count(),
                url=reverse("admin:portal_loginlockout_changelist") + f"?lock={LOCKED}",
                tone="danger",
                help=_("连续输错密码而被锁定；删除这条计数即可解锁（请先与本人核实）。"),
            )
        )
    if user.has_perm("portal.change_staffprofile") and not user.has_perm(
        "portal.approve_staffprofile"
    ):
        queues.append(
            WorkQueue(
                key="roles_submitted",
                label=_("我提交的角色修改待批准"),
                count=StaffProfile.objects.submitted_by(user).count(),
                url=reverse("admin:portal_staffprofile_changelist") + "?approval=submitted",
                help=_("等待街道党工委书记批准；批准前这些账号看不到任何记录。"),
            )
        )
    if user.has_perm("auth.change_user"):
        queues.append(
            WorkQueue(
                key="accounts_without_role",
                label=_("未设置角色的账号"),
                count=accounts_without_role().count(),
                url=reverse("admin:auth_user_changelist") + f"?role_set={NO_ROLE}",
                tone="warning",
                help=_("这些账号能登录后台，但没有角色，什么也看不到。"),
            )
        )
    return queues


def _approver_queues(user: Viewer) -> list[WorkQueue]:
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
