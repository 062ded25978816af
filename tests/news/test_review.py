"""三审: an article is signed in order by three different people against the exact revision they
read; an edit restarts the review; what residents read is what 审发 approved, published at once
or at the chosen time by the scheduled job; every step is on the record."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from portal import clock
from portal.news import rules, services
from portal.news.models import (
    Article,
    ArticleEventKind,
    ArticleStatus,
    Column,
    ReviewStep,
    Revision,
    SubmissionOutcome,
)
from portal.news.services import Draft, NewsError
from portal.roles import Role
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(staff):
    return {
        "editor": staff[Role.EDITOR],
        "editor2": make_staff(Role.EDITOR, username="editor2", name="宣传编辑乙"),
        "area": staff[Role.AREA_LEADER],
        "secretary": staff[Role.SECRETARY],
        "community": staff[Role.COMMUNITY_SECRETARY],
        "grid": staff[Role.GRID_WORKER],
        "official": staff[Role.OFFICIAL],
    }


def draft(**changes) -> Draft:
    values = {
        "title": "凤凰岭社区开展“四下基层”现场办公",
        "column": Column.objects.get(slug="jiceng-zhili"),
        "body": "<p>街道干部在网格驿站现场受理居民诉求。</p>",
        "source": "凤凰岭街道办事处",
    }
    return Draft(**{**values, **changes})


def kinds(article: Article) -> list[str]:
    return list(article.events.order_by("at", "pk").values_list("kind", flat=True))


def approved(people, article: Article) -> Article:
    services.submit(article, actor=people["community"])
    for who in ("editor", "area", "secretary"):
        services.sign(article, actor=people[who])
    article.refresh_from_db()
    return article


def test_three_people_sign_in_order_and_residents_read_what_shenfa_signed(people, place):
    article = services.create_article(draft(), actor=people["community"])
    assert article.community == place.north  # a community secretary's own community
    services.submit(article, actor=people["community"])
    article.refresh_from_db()

    # The chain's order: only the editor may sign now (初审).
    assert rules.refusal("sign", article, people["secretary"]) == "这一环节（初审）不由您签批"
    with pytest.raises(NewsError, match="初审"):
        services.sign(article, actor=people["area"])
    services.sign(article, actor=people["editor"], comment="文字已核")
    services.sign(article, actor=people["area"])
    assert not Article.objects.public().exists()
    services.sign(article, actor=people["secretary"], comment="同意发布")

    article.refresh_from_db()
    assert article.status == ArticleStatus.APPROVED
    signatures = list(article.current.signatures.order_by("signed_at", "pk"))
    assert [(s.step_name, s.signer_name) for s in signatures] == [
        ("初审", people["editor"].staff_profile.name),
        ("审核", people["area"].staff_profile.name),
        ("审发", people["secretary"].staff_profile.name),
    ]
    assert {s.revision_id for s in signatures} == {article.current_id}

    services.publish(article, actor=people["editor"])
    article.refresh_from_db()
    assert list(Article.objects.public()) == [article]
    assert article.live_id == article.current_id
    assert kinds(article) == [
        ArticleEventKind.CREATED,
        ArticleEventKind.SUBMITTED,
        ArticleEventKind.SIGNED,
        ArticleEventKind.SIGNED,
        ArticleEventKind.SIGNED,
        ArticleEventKind.PUBLISHED,
    ]


def test_an_edit_after_shenhe_restarts_the_review_on_the_new_revision(people):
    article = services.create_article(draft(), actor=people["community"])
    services.submit(article, actor=people["community"])
    services.sign(article, actor=people["editor"])
    services.sign(article, actor=people["area"])
    signed = article.current_id

    services.save_revision(
        article, draft(title="凤凰岭社区现场办公解决12件诉求"), actor=people["community"]
    )

    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT
    assert article.current_id != signed
    assert article.submissions.get().outcome == SubmissionOutcome.SUPERSEDED
    assert rules.refusal("sign", article, people["secretary"]) == "稿件不在审核中"
    # The two signatures stay on the revision they approved; the new one starts from 初审.
    assert Revision.objects.get(pk=signed).signatures.count() == 2
    services.submit(article, actor=people["community"])
    assert rules.next_step(rules.open_submission(article)).name == "初审"


def test_an_unchanged_save_writes_no_revision(people):
    article = services.create_article(draft(), actor=people["community"])
    assert services.save_revision(article, draft(), actor=people["community"]) is None
    assert article.revisions.count() == 1


def test_nobody_signs_two_steps_nor_their_own_revision(people):
    ReviewStep.objects.filter(name="审核").update(role=Role.EDITOR)
    article = services.create_article(draft(), actor=people["editor2"])
    services.submit(article, actor=people["editor2"])
    article.refresh_from_db()

    assert rules.refusal("sign", article, people["editor2"]) == "不能签批自己撰写或修改的版本"
    services.sign(article, actor=people["editor"])
    refusal = "您已签批这一版的另一环节，同一人不能签批两个环节"
    assert rules.refusal("sign", article, people["editor"]) == refusal
    with pytest.raises(NewsError, match="两个环节"):
        services.sign(article, actor=people["editor"])
    # The database says so too, whatever calls it.
    submission = rules.open_submission(article)
    with pytest.raises(IntegrityError), transaction.atomic():
        submission.signatures.create(
            revision=submission.revision,
            step=ReviewStep.objects.get(name="审核"),
            step_name="审核",
            signer=people["editor"],
            signer_name="重复签批",
        )


def test_a_reviewer_sends_it_back_with_a_reason(people):
    article = services.create_article(draft(), actor=people["community"])
    services.submit(article, actor=people["community"])
    with pytest.raises(NewsError, match="退回原因"):
        services.send_back(article, actor=people["editor"], reason="  ")
    services.send_back(article, actor=people["editor"], reason="第二段的数字请与台账核对")

    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT
    assert article.submissions.get().reason == "第二段的数字请与台账核对"
    assert article.events.last().note == "第二段的数字请与台账核对"
    # The same text does not go in again, by the author or by anyone else who may write.
    for who in ("community", "area", "editor"):
        refusal = rules.refusal("submit", article, people[who]) or ""
        assert "这一版已被退回（第二段的数字请与台账核对）" in refusal, who
    services.save_revision(article, draft(title="核对后的标题"), actor=people["community"])
    article.refresh_from_db()
    assert rules.refusal("submit", article, people["community"]) is None


def test_scheduled_publishing_waits_for_its_time_and_needs_no_one(people):
    article = approved(people, services.create_article(draft(), actor=people["community"]))
    at = clock.now() + timedelta(hours=2)

    services.publish(article, actor=people["secretary"], at=at)
    assert not Article.objects.public().exists()
    assert services.publish_due() == []

    with clock.frozen(at + timedelta(seconds=30)):
        published = services.publish_due()
    assert [a.pk for a in published] == [article.pk]
    article.refresh_from_db()
    assert list(Article.objects.public()) == [article]
    event = article.events.last()
    assert (event.kind, event.actor, event.actor_unit) == (ArticleEventKind.PUBLISHED, None, "系统")


def test_a_public_article_being_revised_keeps_its_approved_text(people):
    article = approved(people, services.create_article(draft(), actor=people["community"]))
    services.publish(article, actor=people["editor"])
    live = article.current_id

    services.save_revision(article, draft(body="<p>改动后的正文</p>"), actor=people["community"])

    article.refresh_from_db()
    assert Article.objects.public().get().live_id == live
    assert article.current_id != live
    assert (
        rules.refusal("publish", article, people["editor"])
        == "只有审发通过、尚未发布的稿件可以发布"
    )


def test_withdrawing_takes_it_off_the_public_pages_with_a_reason(people):
    article = approved(people, services.create_article(draft(), actor=people["community"]))
    services.publish(article, actor=people["editor"])
    with pytest.raises(NewsError, match="撤回原因"):
        services.withdraw(article, actor=people["secretary"], reason="")
    services.withdraw(article, actor=people["secretary"], reason="活动时间有误，核实后重发")

    assert not Article.objects.public().exists()
    article.refresh_from_db()
    assert rules.refusal("edit", article, people["community"]).startswith("稿件已撤回")


def test_restoring_an_earlier_revision_is_recorded_and_reviewed_again(people):
    article = services.create_article(draft(), actor=people["community"])
    first = article.current
    services.save_revision(article, draft(title="改过的标题"), actor=people["community"])

    restored = services.restore_revision(article, first, actor=people["community"])

    assert (restored.number, restored.title, restored.restored_from) == (3, first.title, first)
    event = article.events.last()
    assert (event.kind, event.note) == (ArticleEventKind.RESTORED, "恢复第1版的内容，需重新送审")


def test_each_role_reaches_the_articles_the_matrix_gives_it(people, place):
    own = services.create_article(draft(), actor=people["community"])
    district = services.create_article(draft(title="街道新闻"), actor=people["editor"])
    other = services.create_article(draft(), actor=people["editor"], community=place.south)

    def seen(who: str) -> set[int]:
        return set(
            rules.visible_to(Article.objects.all(), people[who]).values_list("pk", flat=True)
        )

    every = {own.pk, district.pk, other.pk}
    assert seen("community") == {own.pk}
    for who in ("editor", "area", "secretary", "official"):
        assert seen(who) == every, who
    assert seen("grid") == set()
    assert rules.refusal("edit", other, people["community"]) == "您的范围内没有这篇稿件"
    assert rules.refusal("edit", own, people["official"]) == "您的角色不能撰写或修改新闻稿件"
    with pytest.raises(NewsError, match="您的角色不能撰写"):
        services.create_article(draft(), actor=people["grid"])


def test_a_revision_signature_and_record_cannot_be_changed(people):
    article = approved(people, services.create_article(draft(), actor=people["community"]))
    changes = [
        (Revision.objects.filter(pk=article.current_id), {"title": "改过"}),
        (article.current.signatures.all(), {"comment": "改过"}),
        (article.events.all(), {"note": "改过"}),
    ]
    for rows, change in changes:
        with pytest.raises(Exception, match="不能修改"), transaction.atomic():
            rows.update(**change)


def test_the_scheduled_job_publishes_what_is_due(people):
    article = approved(people, services.create_article(draft(), actor=people["community"]))
    at = clock.now() + timedelta(minutes=10)
    services.publish(article, actor=people["secretary"], at=at)

    out = StringIO()
    call_command("publish_scheduled", stdout=out)
    assert out.getvalue().strip() == "已发布 0 篇"
    with clock.frozen(at + timedelta(minutes=1)):
        call_command("publish_scheduled", stdout=out)
    assert f"已发布 1 篇：{article.current.title}" in out.getvalue()
    assert list(Article.objects.public()) == [article]
