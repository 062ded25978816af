"""State changes on shared reference data: roles, scopes and their groups."""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.access import forget_scope
from portal.models import StaffProfile
from portal.roles import GROUP_NAMES, Role, permission_codenames


class RoleError(Exception):
    """A role change that is not allowed; the message is shown to the user."""


def sync_roles() -> dict[Role, int]:
    """Create or update one group per role with exactly the permissions the matrix grants.

    Idempotent: running it twice changes nothing. Returns the number of permissions per role.
    """
    result = {}
    for role in Role:
        group, _created = Group.objects.get_or_create(name=GROUP_NAMES[role])
        pairs = permission_codenames(role)
        q = Q(pk__in=[])
        for app_label, codename in pairs:
            q |= Q(content_type__app_label=app_label, codename=codename)
        perms = list(Permission.objects.filter(q))
        missing = pairs - {(p.content_type.app_label, p.codename) for p in perms}
        if missing:
            raise LookupError(f"role matrix names unknown permissions: {sorted(missing)}")
        group.permissions.set(perms)
        result[role] = len(perms)
    return result


def sync_roles_after_migrate(sender: Any, app_config: Any = None, **kwargs: Any) -> None:
    """post_migrate receiver: sync once, after the last app's permissions exist."""
    apps = kwargs.get("apps", global_apps)
    with_models = [a for a in global_apps.get_app_configs() if a.models_module is not None]
    if sender is not with_models[-1]:
        return
    # A partial migrate (`migrate portal`) leaves some apps unmigrated; the next full one syncs.
    try:
        for config in with_models:
            apps.get_app_config(config.label)
    except LookupError:
        return
    from django.contrib.auth.management import create_permissions

    using = kwargs.get("using", "default")
    for config in with_models:
        create_permissions(config, verbosity=0, using=using, apps=apps)
    sync_roles()


def _sync_user_groups(profile: StaffProfile) -> None:
    role_groups = Group.objects.filter(name__in=GROUP_NAMES.values())
    user = profile.user
    user.groups.remove(*role_groups)
    if profile.is_approved:
        user.groups.add(Group.objects.get(name=GROUP_NAMES[Role(profile.role)]))
    forget_scope(user)


def _approve_if_allowed(profile: StaffProfile, actor: Any) -> None:
    # actor None is the server operator (manage.py); otherwise only an approver's change counts
    # as approved at once.
    if actor is None or actor.has_perm("portal.approve_staffprofile"):
        profile.approved_by, profile.approved_at = actor, timezone.now()
    else:
        profile.approved_by, profile.approved_at = None, None


@transaction.atomic
def grant_role(
    user: Any,
    *,
    actor: Any,
    name: str,
    role: Role,
    communities: Any = (),
    grids: Any = (),
    title: str = "",
    unit: str = "",
) -> StaffProfile:
    """Create or replace a staff account's role and scope (used by commands and demo data)."""
    if actor is not None and actor.pk == user.pk:
        raise RoleError(_("不能修改自己的角色或负责范围。"))
    profile, _created = StaffProfile.objects.select_for_update().get_or_create(
        user=user, defaults={"name": name, "role": role}
    )
    profile.name, profile.role, profile.title, profile.unit = name, role, title, unit
    _approve_if_allowed(profile, actor)
    profile.save()
    profile.communities.set(communities)
    profile.grids.set(grids)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    _sync_user_groups(profile)
    return profile


@transaction.atomic
def role_changed(profile: StaffProfile, *, actor: Any) -> StaffProfile:
    """After the admin saved a new role or scope: it waits for approval unless the actor may
    approve."""
    if actor is not None and actor.pk == profile.user_id:
        raise RoleError(_("不能修改自己的角色或负责范围。"))
    profile = StaffProfile.objects.select_for_update().get(pk=profile.pk)
    _approve_if_allowed(profile, actor)
    profile.save(update_fields=["approved_by", "approved_at"])
    _sync_user_groups(profile)
    return profile


@transaction.atomic
def approve_staff_role(profile: StaffProfile, *, actor: Any) -> StaffProfile:
    """批准: the party secretary confirms a role and scope set by the system administrator."""
    profile = StaffProfile.objects.select_for_update().get(pk=profile.pk)
    if actor.pk == profile.user_id:
        raise RoleError(_("不能批准自己的角色。"))
    if profile.is_approved:
        raise RoleError(_("%(name)s 的角色已批准，无需重复批准。") % {"name": profile.name})
    profile.approved_by, profile.approved_at = actor, timezone.now()
    profile.save(update_fields=["approved_by", "approved_at"])
    _sync_user_groups(profile)
    return profile


@transaction.atomic
def password_set_by_other(user: Any, *, actor: Any) -> bool:
    """Someone set another person's password (the account admin's 修改密码 page).

    Whoever sets a password can sign in as that person, so an account whose role reaches
    records goes back to 待书记批准: it sees nothing until a party secretary confirms the role
    again, after checking with its owner. An approver's own reset keeps the role. Returns True
    when the role was suspended.
    """
    profile = StaffProfile.objects.select_for_update().filter(user=user).first()
    if profile is None or not profile.is_approved or not profile.reaches_records:
        return False
    if actor is not None and actor.has_perm("portal.approve_staffprofile"):
        return False
    profile.approved_by, profile.approved_at = None, None
    profile.save(update_fields=["approved_by", "approved_at"])
    _sync_user_groups(profile)
    return True
