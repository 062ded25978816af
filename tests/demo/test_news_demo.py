"""The demo's news: twenty-odd articles across every 栏目 and many months, each published
one signed 初审 → 审核 → 审发 by three different people; one scheduled, one draft, one
waiting at 审核."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from portal import clock
from portal.news import rules
from portal.news.models import Article, ArticleStatus, Column, Signature, SubmissionOutcome

pytestmark = pytest.mark.django_db


def test_published_articles_span_every_column_and_many_months(demo, client):
    public = Article.objects.public().select_related("live__column")
    assert public.count() >= 20
    every_column = set(Column.objects.values_list("slug", flat=True))
    assert {a.live.column.slug for a in public} == every_column
    assert len({timezone.localtime(a.published_at).strftime("%Y-%m") for a in public}) >= 6
    page = client.get(reverse("portal:article-list")).content.decode()
    newest = public.order_by("-published_at").first()
    assert newest.live.title in page


def test_each_published_article_went_through_the_chain_before_it_went_out(demo):
    chain = [step.name for step in rules.chain_steps()]
    for article in Article.objects.public().select_related("live"):
        submission = article.submissions.get(outcome=SubmissionOutcome.APPROVED)
        assert submission.revision_id == article.live_id
        signatures = list(submission.signatures.order_by("signed_at"))
        assert [s.step_name for s in signatures] == chain
        assert len({s.signer_id for s in signatures} | {article.created_by_id}) == 4
        assert signatures[-1].signed_at < article.published_at <= clock.now()


def test_one_scheduled_one_draft_one_waiting_at_the_second_step(demo, client):
    scheduled = Article.objects.get(status=ArticleStatus.APPROVED)
    assert scheduled.publish_at > clock.now() and scheduled.live is None
    assert client.get(reverse("portal:article-detail", args=[scheduled.pk])).status_code == 404
    assert Article.objects.filter(status=ArticleStatus.DRAFT).count() == 1
    waiting = Article.objects.get(status=ArticleStatus.IN_REVIEW)
    assert rules.next_step(rules.open_submission(waiting)).name == "审核"


def test_articles_outside_notices_have_real_cover_photos(demo, settings):
    settings.MEDIA_ROOT = demo.media
    public = Article.objects.public().select_related("live__column", "live__cover")
    with_cover = [a for a in public if a.live.cover_id]
    assert len(with_cover) >= 12
    assert all(a.live.column.slug != "tongzhi-gonggao" for a in with_cover)
    display = with_cover[0].live.cover.display
    with display.open("rb"), Image.open(display) as image:
        assert image.format == "JPEG" and image.width >= 800 and not image.getexif()


def test_people_sign_in_office_hours_and_articles_carry_an_author(demo, client):
    hours = {timezone.localtime(s.signed_at).hour for s in Signature.objects.all()}
    assert hours and min(hours) >= 9 and max(hours) < 18, sorted(hours)
    assert not Signature.objects.filter(signed_at__gt=clock.now()).exists()
    article = Article.objects.public().order_by("-published_at").first()
    page = client.get(reverse("portal:article-detail", args=[article.pk])).content.decode()
    assert "作者：" in page and article.live.byline in page
