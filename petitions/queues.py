"""The case queues on the workbench (工作台).

THROWAWAY stand-in written by the workbench helper so the page can be built: the rules helper
replaces this file with the queues defined from the rule book. Only ``workbench_queues(user)``
is used by the site layer.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse

from petitions.admin.search import QueueFilter
from petitions.models import Case
from portal.worklist import WorkQueue

_TONES = {"overdue": "danger", "due_soon": "warning", "supervised": "warning"}


def workbench_queues(user: Any) -> list[WorkQueue]:
    """The user's case queues with their counts (one aggregate query)."""
    if not user.has_perm("petitions.view_case"):
        return []
    queues = QueueFilter.queues_for(user)
    visible = Case.objects.visible_to(user)
    counts = visible.aggregate(
        **{
            value: Count(
                "pk", filter=Q(pk__in=QueueFilter.select(value, user, visible).values("pk"))
            )
            for value, _label in queues
        }
    )
    url = reverse("admin:petitions_case_changelist")
    return [
        WorkQueue(
            key=value,
            label=label,
            count=counts[value],
            url=f"{url}?{QueueFilter.parameter_name}={value}",
            tone=_TONES.get(value, ""),
        )
        for value, label in queues
    ]
