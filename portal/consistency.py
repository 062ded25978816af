"""What ``check_consistency`` asks of every app: the database's own rules, re-checked.

Each app with records has a ``consistency`` module whose ``checks(sample, rng)`` returns
``Check`` results; this one holds the shared parts: every CHECK constraint of the project's
tables re-evaluated over all their rows, and the append-only triggers still refusing changes.

PostgreSQL keeps a CHECK constraint as validated once it is (``ALTER TABLE … VALIDATE
CONSTRAINT`` on a valid constraint does nothing), so each constraint's expression, as the
catalogue gives it (``pg_get_constraintdef``), is counted again: one scan per table, every
constraint of the table counted in it. Elsewhere the models' ``Meta.constraints`` are asked
through the ORM.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.apps import apps
from django.db import DatabaseError, connection, models, transaction

PROJECT_APPS = ("portal", "outreach", "petitions")


@dataclass
class Check:
    """One check's result: what it covered and what it found wrong (each a short line)."""

    name: str
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def project_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS and model._meta.managed
    ]


def constraints() -> Check:
    """Every CHECK constraint of every project table, over all rows."""
    check = Check("CHECK 约束（全表重算）")
    for model in project_models():
        if connection.vendor == "postgresql":
            found = _postgres_violations(model)
        else:
            found = _orm_violations(model)
        for name, rows in found:
            check.checked += 1
            if rows:
                check.problems.append(f"{model._meta.db_table}.{name}: {rows} 行违反")
    return check


def _postgres_violations(model: type[models.Model]) -> list[tuple[str, int]]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'c' AND conrelid = %s::regclass ORDER BY conname",
            [table],
        )
        found = cursor.fetchall()
        if not found:
            return []
        counts = ", ".join(
            f"count(*) FILTER (WHERE NOT ({_expression(definition)}))" for _n, definition in found
        )
        cursor.execute(f"SELECT {counts} FROM {connection.ops.quote_name(table)}")  # noqa: S608 - catalogue text
        return [(name, n) for (name, _d), n in zip(found, cursor.fetchone(), strict=True)]


def _expression(definition: str) -> str:
    """'CHECK ((progress <= 100)) NOT VALID' → '(progress <= 100)'."""
    expression = definition.removeprefix("CHECK ").removesuffix(" NOT VALID")
    return expression


def _orm_violations(model: type[models.Model]) -> list[tuple[str, int]]:
    found = []
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.CheckConstraint):
            found.append(
                (constraint.name, model._base_manager.exclude(constraint.condition).count())
            )
    return found


def append_only(model: type[models.Model], name: str) -> Check:
    """The table's rows cannot be changed: an update of one is refused by the database."""
    check = Check(f"只能追加（{model._meta.verbose_name}）")
    row = model._base_manager.order_by("?").values_list("pk", flat=True).first()
    if row is None:
        return check
    check.checked = 1
    try:
        with transaction.atomic():
            model._base_manager.filter(pk=row).update(**{_text_field(model): "改动"})
            check.problems.append(f"{model._meta.db_table} 的行可以被修改（触发器 {name} 缺失）")
            transaction.set_rollback(True)
    except DatabaseError:
        pass  # refused, as it must be
    return check


def _text_field(model: type[models.Model]) -> str:
    return next(f.name for f in model._meta.concrete_fields if isinstance(f, models.TextField))


def sample_ids(model: type[models.Model], sample: int, rng: random.Random) -> list[int]:
    """Up to ``sample`` random existing primary keys (drawn from the id range, so a million
    rows cost no sort)."""
    bounds = model._base_manager.aggregate(low=models.Min("pk"), high=models.Max("pk"))
    if bounds["low"] is None:
        return []
    low, high = bounds["low"], bounds["high"]
    if high - low + 1 <= sample * 2:
        ids = list(model._base_manager.values_list("pk", flat=True))
        return sorted(rng.sample(ids, min(sample, len(ids))))
    drawn = rng.sample(range(low, high + 1), sample * 2)
    found = model._base_manager.filter(pk__in=drawn).values_list("pk", flat=True)
    return sorted(found)[:sample]


def checks(sample: int, rng: random.Random) -> list[Check]:
    return [constraints()]
