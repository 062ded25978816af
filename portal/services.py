"""State changes on shared reference data: roles, scopes and their groups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from portal import clock
from portal.access import forget_scope
from portal.actors import Actor, User
from portal.formats import join_names_text
from portal.models import Community, Grid, StaffProfile
from portal.people import display_name
from portal.roles import GROUP_NAMES, PERMISSIONS, RECORD_REACH, Reach, Role, permission_codenames

# The roles whose holders approve other people's roles (街道党工委书记).
APPROVER_ROLES = tuple(
    role for role in Role if "approve" in PERMISSIONS[role].get("portal.staffprofile", ())
)


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
    using = kwargs.get("using", "default")
    for config in with_models:
        create_permissions(config, verbosity=0, using=using, apps=apps)
    sync_roles()


def scope_problem(role: Role | str, communities: Any, grids: Any) -> str | None:
    """What is wrong with this scope for this role (None when it fits).

    A 网格员 without grids or a 社区书记 without a community would see nothing; a scope on a role
    that is not scoped (书记, 领导, 调解员, 系统管理员) would only mislead whoever reads it.
    """
    role = Role(role)
    communities, grids = list(communities or ()), list(grids or ())
    reach = RECORD_REACH[role]
    if reach is Reach.GRIDS:
        if not grids:
            return _("网格员须选择负责的网格。")
        if communities:
            return _("网格员按网格划分范围，请不要选择社区。")
    elif role is Role.COMMUNITY_SECRETARY:
        if len(communities) != 1 or grids:
            return _("社区书记须选择一个社区（且只选社区，不选网格）。")
    elif reach is Reach.COMMUNITIES:
        if not communities or grids:
            return _("包片领导须选择所包的社区（只选社区，不选网格）。")
    elif communities or grids:
        return _("该角色不按社区或网格划分范围，请不要选择社区或网格。")
    return None


def scope_summary(profile: StaffProfile) -> str:
    """The scope as the role list shows it: what the account actually reaches."""
    reach = RECORD_REACH[Role(profile.role)]
    if reach is Reach.ALL:
        return _("全街道")
    if reach is Reach.ASSIGNED:
        return _("仅限交办给本人的诉求")
    if profile.role == Role.EDITOR:
        # Reaches no activity or ordinary case, but handles the 网站纠错 reports (their category
        # is the editors') and every article.
        return _("全街道新闻稿件和网站纠错")
    if reach is Reach.NONE:
        return _("不涉及活动和诉求记录")
    names = [c.name for c in profile.communities.all()] + [str(g) for g in profile.grids.all()]
    return join_names_text(names) or _("未设置（看不到任何记录）")


def _sync_user_groups(profile: StaffProfile) -> None:
    role_groups = Group.objects.filter(name__in=GROUP_NAMES.values())
    user = profile.user
    user.groups.remove(*role_groups)
    if profile.is_approved:
        user.groups.add(Group.objects.get(name=GROUP_NAMES[Role(profile.role)]))
    forget_scope(user)


def scope_snapshot(profile: StaffProfile) -> dict[str, Any]:
    """The role and scope as saved now, in the shape kept in ``approved_scope``."""
    return {
        "role": profile.role,
        "communities": sorted(c.pk for c in profile.communities.all()),
        "grids": sorted(g.pk for g in profile.grids.all()),
    }


@dataclass(frozen=True)
class ScopeChange:
    """One line of old → new: 负责网格 凤凰岭社区·第二网格 → 凤凰岭社区·第二网格、…第三网格."""

    label: str
    old: str
    new: str


def describe_change(old: dict[str, Any], new: dict[str, Any]) -> list[ScopeChange]:
    """The lines that differ between two snapshots (role, communities, grids), named as staff
    read them; an empty old snapshot reads 无."""
    ids = {key: set(old.get(key, ())) | set(new.get(key, ())) for key in ("communities", "grids")}
    communities = {c.pk: c.name for c in Community.objects.filter(pk__in=ids["communities"])}
    grids = {
        g.pk: str(g) for g in Grid.objects.filter(pk__in=ids["grids"]).select_related("community")
    }
    nothing = _("无")

    def role_name(snapshot: dict[str, Any]) -> str:
        code = snapshot.get("role")
        return str(Role(code).label) if code in Role.values else nothing

    def names(snapshot: dict[str, Any], key: str, known: dict[int, str]) -> str:
        found = [known[pk] for pk in snapshot.get(key, ()) if pk in known]
        return join_names_text(found) or nothing

    lines = []
    if old.get("role") != new.get("role"):
        lines.append(ScopeChange(_("角色"), role_name(old), role_name(new)))
    for key, label, known in (
        ("communities", _("负责社区"), communities),
        ("grids", _("负责网格"), grids),
    ):
        if sorted(old.get(key, ())) != sorted(new.get(key, ())):
            lines.append(ScopeChange(label, names(old, key, known), names(new, key, known)))
    return lines


def change_text(lines: list[ScopeChange]) -> str:
    """角色：网格员 → 社区书记；负责网格：… → …"""
    return _("；").join(
        _("%(label)s：%(old)s → %(new)s") % {"label": c.label, "old": c.old, "new": c.new}
        for c in lines
    )


@dataclass(frozen=True)
class PendingChange:
    """What an approver decides on: the change since the role last took effect, who made it."""

    lines: list[ScopeChange]
    submitted_by: str
    submitted_at: datetime | None
    first_time: bool  # the role never took effect: nothing to go back to
    suspended: bool  # paused because someone else set the password
    approvers: list[str]  # who may approve it


def last_approver_problem(profile: StaffProfile, actor: Actor | None) -> str | None:
    """Why ``actor`` may not change this profile's role or scope now (None: they may): it is
    the only role in effect that approves roles, and a change by someone who cannot approve it
    waits for an approver — there would be none left, and nobody could undo it."""
    if actor is None or actor.has_perm("portal.approve_staffprofile"):
        return None
    if not profile.pk or not profile.is_approved or profile.role not in APPROVER_ROLES:
        return None
    others = (
        StaffProfile.objects.approved()
        .filter(role__in=APPROVER_ROLES, user__is_active=True)
        .exclude(pk=profile.pk)
    )
    if others.exists():
        return None
    return _(
        "%(name)s 是目前唯一已生效的街道党工委书记账号，修改其角色或负责范围须经书记批准，"
        "改后将无人能批准（也无法改回）。请先为另一位人员设置街道党工委书记角色并经批准，"
        "或由服务器管理员用命令修改。"
    ) % {"name": profile.name}


def approver_names(profile: StaffProfile) -> list[str]:
    """The people whose approval the change waits for (never the person it is about)."""
    approvers = (
        StaffProfile.objects.approved()
        .filter(role__in=APPROVER_ROLES)
        .exclude(user_id=profile.user_id)
        .order_by("name")
    )
    return [p.name for p in approvers]


def pending_change(profile: StaffProfile) -> PendingChange | None:
    """The change waiting for approval on this profile, or None when its role is in effect."""
    if profile.is_approved:
        return None
    before = profile.approved_scope or {}
    return PendingChange(
        lines=describe_change(before, scope_snapshot(profile)),
        submitted_by=display_name(profile.submitted_by),
        submitted_at=profile.submitted_at,
        first_time=not before.get("role"),
        suspended=bool(before.get("suspended")),
        approvers=approver_names(profile),
    )


_DECISION_FIELDS = [
    "approved_by",
    "approved_at",
    "approved_scope",
    "submitted_by",
    "submitted_at",
    "returned_by",
    "returned_at",
]


def _approve(profile: StaffProfile, actor: Actor | None) -> None:
    profile.approved_by, profile.approved_at = actor, clock.now()
    profile.approved_scope = scope_snapshot(profile)
    profile.submitted_by = profile.submitted_at = None
    profile.returned_by = profile.returned_at = None


def _approve_if_allowed(profile: StaffProfile, actor: Actor | None) -> None:
    # actor None is the server operator (manage.py); otherwise only an approver's change counts
    # as approved at once, and anyone else's waits, noted as theirs.
    if actor is None or actor.has_perm("portal.approve_staffprofile"):
        _approve(profile, actor)
    else:
        profile.approved_by, profile.approved_at = None, None
        profile.submitted_by, profile.submitted_at = actor, clock.now()
        profile.returned_by = profile.returned_at = None
    profile.save(update_fields=_DECISION_FIELDS)


@transaction.atomic
def grant_role(
    user: User,
    *,
    actor: Actor | None,
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
    profile.save()
    profile.communities.set(communities)
    profile.grids.set(grids)
    _approve_if_allowed(profile, actor)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    _sync_user_groups(profile)
    return profile


@transaction.atomic
def role_changed(profile: StaffProfile, *, actor: Actor) -> StaffProfile:
    """After the admin saved a new role or scope: it waits for approval unless the actor may
    approve."""
    if actor is not None and actor.pk == profile.user_id:
        raise RoleError(_("不能修改自己的角色或负责范围。"))
    profile = StaffProfile.objects.select_for_update().get(pk=profile.pk)
    if actor is not None and (problem := last_approver_problem(_as_approved(profile), actor)):
        raise RoleError(problem)
    _approve_if_allowed(profile, actor)
    _sync_user_groups(profile)
    return profile


def _as_approved(profile: StaffProfile) -> StaffProfile:
    """The profile as it was in effect before this save (its approved snapshot), for
    ``last_approver_problem``: the saved row already holds the new role."""
    before = profile.approved_scope or {}
    if profile.is_approved and before.get("role"):
        profile = StaffProfile(pk=profile.pk, name=profile.name, role=before["role"])
        profile.approved_at = clock.now()
    return profile


def _ensure_decidable(profile: StaffProfile, actor: Any) -> None:
    if actor.pk == profile.user_id:
        raise RoleError(_("不能批准自己的角色，也不能退回。"))
    if not actor.has_perm("portal.approve_staffprofile"):
        raise RoleError(_("只有街道党工委书记可以批准或退回角色。"))
    if profile.is_approved:
        raise RoleError(_("%(name)s 的角色已批准，无需重复批准。") % {"name": profile.name})


@transaction.atomic
def approve_staff_role(profile: StaffProfile, *, actor: Actor) -> StaffProfile:
    """批准: the party secretary confirms a role and scope set by the system administrator."""
    profile = StaffProfile.objects.select_for_update().get(pk=profile.pk)
    _ensure_decidable(profile, actor)
    _approve(profile, actor)
    profile.save(update_fields=_DECISION_FIELDS)
    _sync_user_groups(profile)
    return profile


@transaction.atomic
def return_staff_role(profile: StaffProfile, *, actor: Actor) -> StaffProfile:
    """退回: the party secretary declines a role change. The role and scope in effect before it
    come back (confirmed by this approver); a role that never took effect, or one paused by a
    password reset, stays without effect and leaves the approval queue."""
    profile = StaffProfile.objects.select_for_update().get(pk=profile.pk)
    _ensure_decidable(profile, actor)
    if profile.returned_at is not None:
        raise RoleError(_("%(name)s 的角色修改已退回。") % {"name": profile.name})
    before = profile.approved_scope or {}
    if before.get("role") and not before.get("suspended"):
        profile.role = before["role"]
        profile.save(update_fields=["role"])
        profile.communities.set(before.get("communities", ()))
        profile.grids.set(before.get("grids", ()))
        _approve(profile, actor)
    else:
        profile.returned_by, profile.returned_at = actor, clock.now()
    profile.save(update_fields=_DECISION_FIELDS)
    _sync_user_groups(profile)
    return profile


@transaction.atomic
def password_set_by_other(user: User, *, actor: Actor) -> bool:
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
    profile.approved_scope = {**profile.approved_scope, "suspended": True}
    profile.submitted_by, profile.submitted_at = actor, clock.now()
    profile.returned_by = profile.returned_at = None
    profile.save(update_fields=_DECISION_FIELDS)
    _sync_user_groups(profile)
    return True
