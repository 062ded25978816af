"""The workbench's news queues: 待我审核 counts exactly the articles the guard offers the
person a signature on, and every queue's link lists exactly the articles it counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from portal import clock
from portal.news import rules, services
from portal.news.models import Article, ReviewStep
from portal.roles import Role
from tests.factories import make_staff
from tests.news.pages import approved, draft
from tests.portal.test_workbench import queues_on

pytestmark = pytest.mark.django_db
NEWS_QUEUES = {"news_to_sign", "news_to_publish", "news_sent_back", "news_schedule_missed"}


@pytest.fixture
def people(staff):
    return {
        "editor": staff[Role.EDITOR],
        "area": staff[Role.AREA_LEADER],
        "secretary": staff[Role.SECRETARY],
        "community": staff[Role.COMMUNITY_SECRETARY],
        "official": staff[Role.OFFICIAL],
        "editor2": make_staff(Role.EDITOR, username="editor2", name="宣传编辑乙"),
    }


@pytest.fixture
def desk(people, place):
    """Articles at every step: the community secretary's in 北苑, the editor's in 南湖 (which
    the editor may not sign, having written them)."""

    def new(title: str, author: str = "community", community=None) -> Article:
        return services.create_article(
            draft(title=title), actor=people[author], community=community
        )

    def submitted(title: str, signers: tuple[str, ...] = (), **kw) -> Article:
        article = new(title, **kw)
        services.submit(article, actor=people[kw.get("author", "community")])
        for who in signers:
            services.sign(article, actor=people[who])
        return article

    sent = submitted("退回")
    services.send_back(sent, actor=people["editor"], reason="请核对数字")
    late = approved(new("定时"), people)
    services.publish(late, actor=people["editor"], at=clock.now() + timedelta(minutes=1))
    Article.objects.filter(pk=late.pk).update(publish_at=clock.now() - timedelta(minutes=10))
    return {
        "draft": new("草稿"),
        "at 初审": submitted("待初审"),
        "at 审核": submitted("待审核", ("editor",)),
        "at 审发": submitted("待审发", ("editor", "area")),
        "sent back": sent,
        "approved": approved(new("已审发"), people),
        "schedule missed": late,
        "editor's at 初审": submitted("编辑稿", author="editor", community=place.south),
        "editor's at 审核": submitted(
            "编辑稿待审核", ("editor2",), author="editor", community=place.south
        ),
    }


def signable(user) -> set[int]:
    return {
        a.pk
        for a in Article.objects.all()
        if rules.refusal("sign", Article.objects.get(pk=a.pk), user) is None
    }


def listed(client, queue: str) -> set[int]:
    response = client.get(reverse("admin:news_article_changelist"), {"queue": queue})
    assert response.status_code == 200
    return {a.pk for a in response.context["cl"].result_list}


@pytest.mark.parametrize("role", list(Role))
def test_waiting_for_me_is_exactly_what_the_guard_offers_a_signature_on(client, staff, desk, role):
    user = staff[role]
    expected = signable(user)
    assert (
        set(rules.awaiting_signature(Article.objects.all(), user).values_list("pk", flat=True))
        == expected
    )
    client.force_login(user)
    shown = queues_on(client.get(reverse("admin:index")).content.decode())
    if role in (Role.EDITOR, Role.AREA_LEADER, Role.SECRETARY):
        assert shown["news_to_sign"][1] == len(expected) > 0
        assert listed(client, "to_sign") == expected
    else:
        assert "news_to_sign" not in shown and not expected


def test_the_guard_and_the_queue_agree_on_who_signed_another_step(client, people, staff):
    # One chain where the editor signs two steps: having signed 初审, they may not sign 审核.
    ReviewStep.objects.filter(name="审核").update(role=Role.EDITOR)
    article = services.create_article(draft(), actor=people["community"])
    services.submit(article, actor=people["community"])
    other = make_staff(Role.EDITOR, username="editor_c", name="宣传编辑丙")
    services.sign(article, actor=people["editor"])
    article.refresh_from_db()
    for user, may in ((people["editor"], False), (other, True)):
        assert (rules.refusal("sign", article, user) is None) is may
        found = rules.awaiting_signature(Article.objects.all(), user).filter(pk=article.pk)
        assert found.exists() is may


def test_the_publishers_and_the_authors_queues(client, people, desk):
    client.force_login(people["editor"])
    shown = queues_on(client.get(reverse("admin:index")).content.decode())
    assert shown["news_to_publish"][1] == 1 and listed(client, "to_publish") == {
        desk["approved"].pk
    }
    assert shown["news_schedule_missed"][1] == 1
    assert listed(client, "schedule_missed") == {desk["schedule missed"].pk}
    # The editor sent it back; it is the community secretary's to fix.
    assert shown["news_sent_back"][1] == 0

    client.force_login(people["community"])
    shown = queues_on(client.get(reverse("admin:index")).content.decode())
    assert shown["news_sent_back"][1] == 1 and listed(client, "sent_back") == {desk["sent back"].pk}
    assert "news_to_publish" not in shown and "news_to_sign" not in shown
    # Fixed and sent in again, it leaves the queue.
    services.save_revision(
        desk["sent back"], draft(title="按意见修改后的稿件"), actor=people["community"]
    )
    desk["sent back"].refresh_from_db()
    services.submit(desk["sent back"], actor=people["community"])
    assert listed(client, "sent_back") == set()

    client.force_login(people["official"])
    assert not NEWS_QUEUES & set(queues_on(client.get(reverse("admin:index")).content.decode()))
