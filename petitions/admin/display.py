"""The case page's read-only fields, as the admin shows them: free text masked for every role
(``petitions.privacy``), moments and people as staff screens write them (``petitions.display``).
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from petitions.display import local, staff_label, triage_shown
from petitions.models import Case
from petitions.privacy import safe_text
from portal.roles import Role


class CaseFieldsMixin:
    """The case page's read-only fields: free text masked for every role (the original is on the
    reveal page, which logs who read it), sources and decisions as labels."""

    @admin.display(description=_("查询码"))
    def tracking(self, obj: Case) -> str:
        return obj.formatted_tracking_code

    @admin.display(description=_("检举控告"))
    def accusation(self, obj: Case) -> str:
        # Plain 否 on an ordinary case: the model's help (信访人信息…完全保密) under a ✖ read
        # as if this case were confidential.
        if obj.is_accusation:
            return gettext("是：信访人信息对承办单位完全保密")
        return gettext("否")

    @admin.display(description=_("分类办理"), ordering="triage")
    def triage_label(self, obj: Case) -> str:
        return triage_shown(obj)

    @admin.display(description=_("收到时间"))
    def received(self, obj: Case) -> str:
        return local(obj.received_at)

    @admin.display(description=_("来源"))
    def source(self, obj: Case) -> str:
        if obj.field_visit_id:
            return gettext("调查研究：%(activity)s") % {"activity": obj.field_visit}
        if obj.onsite_session_id:
            return gettext("现场办公：%(activity)s") % {"activity": obj.onsite_session}
        if obj.reviews_id:
            return gettext("原信访事项：%(number)s") % {"number": obj.reviews.number}
        return "—"

    def _text(self, obj: Case, text: str) -> str:
        if not text:
            return "—"
        # Masked for every role: the original is on the reveal page, which logs who read it.
        return safe_text(obj, text)

    @admin.display(description=_("事发地点"))
    def address_safe(self, obj: Case) -> str:
        # A 网站纠错 report's place is the page of this site it is about (checked at intake by
        # portal.pagetitles.page_at): a link the editor opens, beside the reading.
        address = obj.address or ""
        page = address.startswith("/") and not address.startswith("//")
        if obj.category.handled_by == Role.EDITOR and page:
            return format_html(
                '<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>',
                address,
                gettext("打开被纠错的页面：%(path)s") % {"path": address},
            )
        return self._text(obj, obj.address)

    @admin.display(description=_("诉求内容"))
    def content_safe(self, obj: Case) -> str:
        return self._text(obj, obj.content)

    @admin.display(description=_("不予受理理由"))
    def not_accepted_safe(self, obj: Case) -> str:
        return self._text(obj, obj.not_accepted_reason)

    @admin.display(description=_("办理结果"))
    def result_safe(self, obj: Case) -> str:
        return self._text(obj, obj.result)

    @admin.display(description=_("答复意见"))
    def reply_safe(self, obj: Case) -> str:
        return self._text(obj, obj.reply)

    @admin.display(description=_("协办人、调解员"))
    def co_workers(self, obj: Case) -> str:
        names = [
            gettext("协办：%(staff)s") % {"staff": staff_label(p)} for p in obj.co_handlers.all()
        ]
        names += [
            gettext("调解：%(staff)s") % {"staff": staff_label(p)} for p in obj.mediators.all()
        ]
        return pgettext("separator between messages", "；").join(names) or "—"

    @admin.display(description=_("会议决定"))
    def decision(self, obj: Case) -> str:
        decision = obj.deliberation_decision or obj.leadership_decision
        return str(decision) if decision else "—"
