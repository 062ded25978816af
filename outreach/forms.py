"""Forms of the outreach back office and public filters."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from outreach import services
from portal import clock
from portal.forms import PortalForm, PortalModelForm
from portal.models import Community

RECORD_AS = [("held", _("已举办（事后登记）")), ("planned", _("计划中（提前发布）"))]

# How the results a held activity needs are marked on its forms (Activity.results_required).
HELD_REQUIRED = {
    # (required now, one of several): the mark
    (False, False): _("已举办时必填"),
    (False, True): _("已举办时至少填一项"),
    (True, False): _("必填"),
    (True, True): _("至少填一项"),
}


def mark_results_required(form: forms.BaseForm, *, now: bool) -> None:
    """Say on each result a held activity needs that it is required: ``now`` when the activity
    is held (or is being recorded as held), else "once held" — so nobody learns it only from
    the error after saving. The add page hides the mark while 计划中 is chosen (CSS)."""
    names = [n for n in form._meta.model.results_required if n in form.fields]
    mark = HELD_REQUIRED[now, len(form._meta.model.results_required) > 1]
    for name in names:
        field = form.fields[name]
        field.label = format_html('{}<span class="held-required">（{}）</span>', field.label, mark)


class ActivityForm(PortalModelForm):
    """An activity's change form: the results it needs once held are marked."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        held = self.instance.pk is not None and self.instance.status == "held"
        mark_results_required(self, now=held)


def month_bounds(value: str) -> tuple[date, date] | None:
    """'2026-11' → (2026-11-01, 2026-11-30); None when the text is not a month."""
    try:
        year_text, month_text = value.split("-")
        first = date(int(year_text), int(month_text), 1)
    except (ValueError, TypeError):
        return None
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def half_hour_before(moment: datetime | None = None) -> datetime:
    """Now (or ``moment``) rounded down to the half hour, local time: when an activity logged
    afterwards most likely began, never in the future."""
    local = clock.localnow() if moment is None else timezone.localtime(moment)
    return local.replace(minute=local.minute // 30 * 30, second=0, microsecond=0)


class ActivityAddForm(PortalModelForm):
    """Adding an activity: say whether it already took place (most are logged afterwards).

    A practice whose activities are named after their place (现场办公, 信访接待) may be logged
    without a title: it is named from the community (``Activity.default_title``)."""

    record_as = forms.ChoiceField(
        label=_("登记为"), choices=RECORD_AS, initial="held", widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hint = self._meta.model.default_title_hint
        if hint and "title" in self.fields:
            self.fields["title"].required = False
            self.fields["title"].help_text = hint
        mark_results_required(self, now=False)

    def _post_clean(self) -> None:
        super()._post_clean()
        if "title" in self.fields and not self.instance.title and "title" not in self.errors:
            title = self.instance.default_title()[:120]
            if title:
                self.instance.title = self.cleaned_data["title"] = title
            elif "community" not in self.errors:
                self.add_error("title", self.fields["title"].error_messages["required"])
        record_as = self.cleaned_data.get("record_as")
        refused = set(self.errors) & set(self._meta.model.results_required)
        if record_as == "held" and not refused:
            # A result the form refused (−5) is said at its field, not reported missing too.
            problem = services.results_problem(self.instance)
            if problem:
                self.add_error(None, problem)
        elif (
            record_as == "planned"
            and self.instance.starts_at
            and self.instance.starts_at < clock.now()
        ):
            self.add_error(
                "starts_at",
                _("这个时间已经过去：已举办的请选择“已举办（事后登记）”，否则请修改时间。"),
            )


class CommunityFilterForm(PortalForm):
    """A public page's community filter (近期安排 and its calendar feed); a bad value is reported
    and the page shows every community."""

    community = forms.ModelChoiceField(
        label=_("社区"),
        queryset=None,
        to_field_name="code",
        required=False,
        empty_label=_("全部社区"),
    )

    def __init__(self, *args, **kwargs) -> None:

        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.filter(is_active=True)
        self.fields["community"].error_messages["invalid_choice"] = _(
            "没有这个社区，已显示全部社区。"
        )

    def valid(self, name: str) -> Any:
        """The cleaned value of one filter, or None when it is empty or invalid: each valid
        filter applies even when another one is not (that one is reported in ``errors``).
        Parameters the form does not have are ignored."""
        if not self.is_bound:
            return None
        self.is_valid()  # runs the checks once; what failed is in self.errors
        if name in self.errors:
            return None
        return self.cleaned_data.get(name) or None


class ActivityFilterForm(CommunityFilterForm):
    """The practice lists' filter: community and month, both optional; bad values are reported."""

    month = forms.CharField(
        label=_("月份"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month", "placeholder": "2026-11"}),
    )

    def clean_month(self) -> tuple[date, date] | None:
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        bounds = month_bounds(value) if len(value) <= 7 else None
        if bounds is None or not 2000 <= bounds[0].year <= 2100:
            raise forms.ValidationError(_("月份格式应为“2026-11”，已显示全部月份。"))
        return bounds
