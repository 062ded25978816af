"""Activities not yet written, and writing them in bulk with what hangs off them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from random import Random
from typing import Any

from django.db import connection

from outreach.models import Activity, DeliberationAttendance, DeliberationDecision


@dataclass
class Row:
    """An activity not yet written, with what hangs off it."""

    obj: Activity
    m2m: dict[str, list[Any]] = field(default_factory=dict)
    attendance: list[tuple[str, int, str]] = field(default_factory=list)
    decisions: list[tuple[str, str, date | None]] = field(default_factory=list)
    scene: str = ""  # which kind of photo fits, for held and published rows


def fill(rng: Random, template: str, **values: Any) -> str:
    values.setdefault("k", rng.randint(2, 9))
    return template.format(**values)


def write(rows: list[Row]) -> None:
    """Insert rows in bulk, then their many-to-many links, attendance and decisions."""
    by_model: dict[type[Activity], list[Row]] = defaultdict(list)
    for row in rows:
        by_model[type(row.obj)].append(row)
    bulk_pks = connection.features.can_return_rows_from_bulk_insert
    for model, group in by_model.items():
        objs = [row.obj for row in group]
        if bulk_pks:
            model.objects.bulk_create(objs, batch_size=500)
        else:  # a backend that cannot hand back the new ids
            for obj in objs:
                obj.save()
        for m2m in model._meta.many_to_many:
            through = m2m.remote_field.through
            source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
            links = [
                through(**{f"{source}_id": row.obj.pk, f"{target}_id": other.pk})
                for row in group
                for other in dict.fromkeys(row.m2m.get(m2m.name, ()))
            ]
            through.objects.bulk_create(links, batch_size=1000)
    DeliberationAttendance.objects.bulk_create(
        [
            DeliberationAttendance(deliberation_id=row.obj.pk, category=c, count=n, names=names)
            for row in rows
            for c, n, names in row.attendance
        ],
        batch_size=1000,
    )
    DeliberationDecision.objects.bulk_create(
        [
            DeliberationDecision(
                deliberation_id=row.obj.pk,
                text=text,
                responsible=responsible,
                due_date=due,
                sort_order=n,
            )
            for row in rows
            for n, (text, responsible, due) in enumerate(row.decisions, start=1)
        ],
        batch_size=1000,
    )
