"""What the workbench (工作台) shows of each app: a count of records waiting for the person,
linking to exactly that list.

Each app answers for its own records (``petitions.queues``, ``outreach.queues``); the site layer
(``portal.admin_site``) only lays the queues out.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class WorkQueue:
    """One line of the workbench: e.g. 待受理 3, linking to the three cases."""

    key: str  # stable name, e.g. "to_accept" (the list's ?queue= value)
    label: str | Promise  # 待受理
    count: int
    url: str  # the admin list holding exactly these records
    # "danger" (already late), "warning" (due soon / waiting on others), "" (plain)
    tone: str = ""
    help: str | Promise = ""  # one line on what the queue holds, shown as a tooltip
