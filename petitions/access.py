"""Who works on a case, and who may see which personal data of it. Scope itself is
``Case.objects.visible_to``."""

from __future__ import annotations

from functools import lru_cache

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from petitions.models import Case, CaseParty, PartyRole, Person
from portal.access import scope_of
from portal.actors import Viewer
from portal.roles import Role

ACCUSATION_PLACEHOLDER = _("信访人信息已保密")


@lru_cache(maxsize=512)
def helps_on(profile_id: int) -> tuple[Exists, Exists]:
    """Correlated subqueries (for ``OuterRef("pk")`` of a case): the profile co-handles it,
    mediates it. With ``handler_id`` they are what "assigned" means. Built once per profile
    (a query copies an expression when it resolves it, so the same pair serves every query)."""
    co_handlers = Case.co_handlers.through.objects.filter(
        case_id=OuterRef("pk"), staffprofile_id=profile_id
    )
    mediators = Case.mediators.through.objects.filter(
        case_id=OuterRef("pk"), staffprofile_id=profile_id
    )
    return Exists(co_handlers), Exists(mediators)


def is_assigned(case: Case, profile_id: int | None) -> bool:
    """The one answer to "is this member of staff working on this case": its handler, a
    co-handler or a mediator."""
    if profile_id is None:
        return False
    if case.handler_id == profile_id:
        return True
    co_handles, mediates = helps_on(profile_id)
    return Case.objects.filter(pk=case.pk).filter(co_handles | mediates).exists()


def sees_accusers(user: Viewer) -> bool:
    """检举控告: the petitioner does not exist for anyone but the party secretary."""
    return scope_of(user).role is Role.SECRETARY


def petitioner_hidden(user: Viewer, case: Case) -> bool:
    return case.is_accusation and not sees_accusers(user)


def can_reveal(user: Viewer, case: Case, role: str = PartyRole.PETITIONER) -> bool:
    """Whether the user may unmask this case's parties (after giving a reason, which is logged).

    The role matrix grants the permission (网格员、社区书记、包片领导、党工委书记、调解员); the
    mediator only for cases they are assigned to; nobody but the party secretary for the
    petitioner of an accusation.
    """
    scope = scope_of(user)
    if scope.role is None or not user.has_perm("petitions.reveal_case"):
        return False
    if not Case.objects.visible_to(user).filter(pk=case.pk).exists():
        return False
    return reveals_parties(user, case, role)


def reveals_parties(
    user: Viewer, case: Case, role: str = PartyRole.PETITIONER, *, assigned: bool | None = None
) -> bool:
    """``can_reveal`` for a case already known to be in the user's scope (the rule book's
    guards are only asked about such cases): no scope query. ``assigned`` is
    ``rules.is_assigned(case, profile_id)`` when the caller has worked it out already."""
    scope = scope_of(user)
    if scope.role is None or not user.has_perm("petitions.reveal_case"):
        return False
    if role == PartyRole.PETITIONER and petitioner_hidden(user, case):
        return False
    if scope.role is Role.MEDIATOR:
        if assigned is not None:
            return assigned
        return is_assigned(case, scope.profile_id)
    return True


def cases_naming(user: Viewer, person: Person) -> QuerySet:
    """The cases this user can see in which the same resident is a party they may see: never
    one outside their scope, nor an accusation whose accuser is hidden from them."""
    shown = CaseParty.objects.filter(
        case=OuterRef("pk"), person__in=Person.objects.same_resident_as(person)
    )
    if not sees_accusers(user):
        shown = shown.exclude(role=PartyRole.PETITIONER, case__is_accusation=True)
    return Case.objects.visible_to(user).filter(Exists(shown))
