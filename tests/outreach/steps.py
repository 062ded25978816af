"""Taking an activity's steps the way a browser does: from the buttons its change page shows."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tests.admin_forms import form_data


def admin_url(activity: Any, view: str = "change", *args: Any) -> str:
    meta = activity._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[activity.pk, *args])


def step_url(activity: Any, step: str) -> str:
    return admin_url(activity, "step", step)


def shown_steps(html: str) -> set[str]:
    """The steps whose buttons the change page shows."""
    from outreach.admin.steps import STEPS

    return {name for name in STEPS if f'id="activity-step-{name}"' in html}


def step_data(client: Any, activity: Any, step: str, **fields: Any) -> dict[str, Any]:
    """The step's form as the change page shows it, with ``fields`` typed in (unprefixed names);
    the page must show the step's button."""
    page = client.get(admin_url(activity)).content.decode()
    assert step in shown_steps(page), f"no {step} button on the page"
    data = form_data(page, f"activity-step-{step}")
    return data | {f"{step}-{name}": value for name, value in fields.items()}


def post_step(client: Any, activity: Any, step: str, *, follow: bool = True, **fields: Any):
    """Click the step's button on the change page (after typing ``fields``)."""
    return client.post(
        step_url(activity, step), step_data(client, activity, step, **fields), follow=follow
    )


def change_data(client: Any, activity: Any, **fields: Any) -> dict[str, Any]:
    """The change form as the page shows it, with ``fields`` edited."""
    from tests.admin_forms import admin_form_data

    page = client.get(admin_url(activity))
    assert page.status_code == 200
    return admin_form_data(page.content.decode(), type(activity)) | fields
