"""Finding cases: the work queues, scoped filter choices, and a search that never unmasks.

Search covers the case number, the tracking code (as residents read it out: lower case, dashes,
full-width), the title as staff see it, and phone numbers only in their masked form.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from petitions import queues, services
from petitions.display import staff_label
from petitions.models import CaseKind, CaseParty, CaseStatus, Channel, PartyRole, Triage
from petitions.privacy import mask_free_text
from petitions.services import TRACKING_ALPHABET, TRACKING_LENGTH
from portal.access import scope_of
from portal.actors import Viewer
from portal.models import Grid, StaffProfile
from portal.roles import Role

_DIGITS4 = re.compile(r"[0-9]{4}")
_MASKED_MOBILE = re.compile(r"(1[3-9][0-9])\*{4}([0-9]{4})")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


class QueueFilter(admin.SimpleListFilter):
    """队列: the worklists staff open first, as petitions.queues defines them (the same
    definitions the workbench counts): each lists exactly the cases on which the rule book
    offers the person the queue's step."""

    title = _("队列")
    parameter_name = "queue"

    @classmethod
    def queues_for(cls, user: Viewer) -> list[tuple[str, Any]]:
        return [(queue.key, queue.label) for queue in queues.queues_for(user)]

    @classmethod
    def select(cls, value: str | None, user: Viewer, queryset: QuerySet) -> QuerySet:
        """The cases of queue ``value`` among ``queryset`` (already scoped to the user)."""
        return queues.select(value, user, queryset)

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return self.queues_for(request.user)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return self.select(self.value(), request.user, queryset)


class TriageFilter(admin.ChoicesFieldListFilter):
    """分类办理, with 一般办理 (a case without a class) among the choices, not only by hand."""

    def choices(self, changelist: Any) -> Any:
        choices = list(super().choices(changelist))
        ordinary = {
            "selected": self.lookup_val == [""],
            "query_string": changelist.get_query_string(
                {self.lookup_kwarg: ""}, [self.lookup_kwarg_isnull]
            ),
            "display": gettext("一般办理"),
        }
        return [choices[0], ordinary, *choices[1:]]


class RelatedOnlyFilter(admin.RelatedFieldListFilter):
    """Choices from the reference data the user may see (their communities and grids; staff
    who can handle cases), not from the cases themselves: asking the case table which values
    occur costs a scan of it per filter on every page."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list:
        model = field.related_model
        manager = model._default_manager
        rows = manager.visible_to(request.user) if hasattr(manager, "visible_to") else manager.all()
        if model is Grid:
            rows = rows.select_related("community")
        if model is StaffProfile:
            rows = rows.exclude(role=Role.SYSADMIN).filter(approved_at__isnull=False)
        label = staff_label if model is StaffProfile else str
        return [(row.pk, label(row)) for row in rows]


def unknown_filters(params: Any, user: Any) -> list[str]:
    """The list's filter parameters whose value is none of the choices (``?queue=bogus``,
    ``?status=bogus``), as ``name=value``: Django would show every case for the one and none
    for the other, without a word."""
    known: dict[str, set[str]] = {
        QueueFilter.parameter_name: {key for key, _label in QueueFilter.queues_for(user)},
        "status": set(CaseStatus.values),
        "triage": {"", *Triage.values},
        "channel": set(Channel.values),
        "kind": set(CaseKind.values),
    }
    unknown = []
    for name, values in known.items():
        for param in (name, f"{name}__exact"):
            unknown += [f"{param}={v}" for v in params.getlist(param) if v not in values]
    return unknown


def phone_lookup(word: str) -> tuple[str, str] | None:
    """(prefix, last four) a search word asks for, or None.

    Staff see phone numbers masked (139****5678), so search accepts exactly what the mask shows:
    the last four digits ("5678"), or the first three and last four ("139****5678"). A full
    11-digit number is searched as its masked form, so nobody can confirm the hidden middle
    digits by searching. ID numbers and names of parties are never searched.
    """
    if _DIGITS4.fullmatch(word):
        return "", word
    if match := _MASKED_MOBILE.fullmatch(word):
        return match.group(1), match.group(2)
    if _MOBILE.fullmatch(word):
        return word[:3], word[-4:]
    return None


class CaseSearchMixin:
    """ModelAdmin search for cases (see phone_lookup and _title_matches for what is searched)."""

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        term = unicodedata.normalize("NFKC", search_term or "").strip()
        if not term:
            return queryset, False
        code = services.normalise_tracking_code(term)
        if len(code) == TRACKING_LENGTH and set(code) <= set(TRACKING_ALPHABET):
            return queryset.filter(tracking_code=code), False
        for word in term.split():
            queryset = queryset.filter(self._word_q(request, queryset, word))
        return queryset, False

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        # Django's autocomplete endpoint answers for any model whose admin has search fields;
        # no form picks a case through it, so cases offer no autocomplete.
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "autocomplete":
            return []
        return super().get_search_fields(request)

    def _word_q(self, request: HttpRequest, queryset: QuerySet, word: str) -> Q:
        found = Q(number__icontains=word)
        if lookup := phone_lookup(word.replace("-", "")):
            prefix, last4 = lookup
            parts = CaseParty.objects.filter(case=OuterRef("pk"), person__phone_last4=last4)
            if prefix:
                parts = parts.filter(person__phone__startswith=prefix)
            if scope_of(request.user).role is not Role.SECRETARY:
                # An accusation's petitioner does not exist for anyone else: not even by phone.
                parts = parts.exclude(role=PartyRole.PETITIONER, case__is_accusation=True)
            found |= Q(Exists(parts))
        return found | Q(pk__in=self._title_matches(queryset, word))

    @staticmethod
    def _title_matches(queryset: QuerySet, word: str) -> list[int]:
        """Cases whose title *as staff see it* (numbers and names masked) contains the word.

        Matching the raw title alone would let anyone confirm a phone number or a name that the
        list shows masked, so candidates are checked against the scrubbed title (one query).
        """
        if "*" in word:
            return []  # masked numbers are searched through the parties, above
        titles: dict[int, tuple[str, bool]] = {}
        parties: dict[int, list[tuple[str, str]]] = {}
        rows = (
            queryset.filter(title__icontains=word)
            .prefetch_related(None)
            .values_list("pk", "title", "is_accusation", "parties__person__name", "parties__role")
        )
        for pk, title, accusation, name, role in rows:
            titles[pk] = (title, accusation)
            if name:
                parties.setdefault(pk, []).append((name, role))
        needle = word.lower()
        return [
            pk
            for pk, (title, accusation) in titles.items()
            if needle
            in mask_free_text(title, accusation=accusation, parties=parties.get(pk, [])).lower()
        ]


def describe_filters(changelist: Any) -> str:
    """The list's filters and search as a person reads them (队列：已超期；社区：北苑社区；搜索：…),
    for the export log. Chinese whatever the exporter reads; numbers in it are masked by the log.
    """
    params = changelist.params
    parts = []
    with services.records_language():
        for spec in changelist.filter_specs:
            if not set(spec.expected_parameters()) & set(params):
                continue
            chosen = [
                str(choice["display"])
                for choice in spec.choices(changelist)
                if choice.get("selected")
            ]
            if chosen:
                parts.append(f"{spec.title}：{'、'.join(chosen)}")
        field = changelist.date_hierarchy
        if field:
            day = [
                params.get(f"{field}__{part}")
                for part in ("year", "month", "day")
                if params.get(f"{field}__{part}")
            ]
            if day:
                label = changelist.model._meta.get_field(field).verbose_name
                parts.append(f"{label}：{'-'.join(day)}")
        if changelist.query:
            parts.append(f"搜索：{changelist.query}")
    return "；".join(parts) or "全部"
