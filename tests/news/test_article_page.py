"""The public article page complete: a cover uploaded in the back office (through the image gate)
on the page, in the list and as og:image; links to public activities and case results; a share
block whose QR code is the page's canonical address; a 纠错 link; Open Graph with absolute
addresses; and the article page and the list cost the same queries at 1 and 50 articles."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
import segno
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from outreach.models import PolicyTalk
from petitions.models import Case, Triage
from portal import images
from portal.news import services, views
from portal.news.models import Article, Column, Cover
from portal.roles import Role
from tests.factories import make_case, make_talk
from tests.news.pages import approved, draft, text

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:news_article_add")
SITE = "https://www.fenghuangling.gov.cn"


@pytest.fixture
def people(staff):
    return {
        "editor": staff[Role.EDITOR],
        "area": staff[Role.AREA_LEADER],
        "secretary": staff[Role.SECRETARY],
        "community": staff[Role.COMMUNITY_SECRETARY],
    }


def png(width: int = 640, height: int = 360) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile("封面.png", buffer.getvalue(), content_type="image/png")


def content(**changes):
    values = {
        "title": "北苑社区开展垃圾分类宣传",
        "column": str(Column.objects.get(slug="weimin-fuwu").pk),
        "source": "北苑社区居委会",
        "byline": "北苑社区",
        "summary": "志愿者走进小区讲解垃圾分类",
        "body": "<p>志愿者走进小区讲解垃圾分类。</p>",
        "tags": "",
        "revision_seen": "",
    }
    return values | changes


def publish(article: Article, people) -> Article:
    approved(article, people)
    return services.publish(article, actor=people["editor"])


def cover() -> Cover:
    row = Cover()
    images.save_renditions(row, images.ingest_image(png()))
    row.save()
    return row


def page_of(client, article: Article) -> str:
    response = client.get(reverse("portal:article-detail", args=[article.pk]))
    assert response.status_code == 200
    return response.content.decode()


def og(page: str, prop: str) -> str | None:
    found = re.search(rf'<meta property="{prop}" content="([^"]*)"', page)
    return found.group(1) if found else None


# --- cover -----------------------------------------------------------------------------------


def test_a_cover_uploaded_in_the_form_shows_on_the_page_in_the_list_and_as_og_image(
    client, people, settings
):
    settings.PORTAL_SITE_URL = SITE
    client.force_login(people["community"])
    response = client.post(ADD_URL, content(cover_upload=png()))
    assert response.status_code == 302
    article = Article.objects.get()
    stored = article.current.cover
    # Through the image gate: re-encoded as JPEG (an opaque PNG is a photo), three sizes.
    assert stored.image.name.endswith(".jpg") and stored.thumbnail.name.endswith("_thumb.jpg")
    client.logout()
    publish(article, people)

    page = page_of(client, article)
    assert f'<img src="{stored.display.url}" alt="北苑社区开展垃圾分类宣传"' in page
    assert og(page, "og:image") == f"{SITE}{stored.display.url}"
    listing = client.get(reverse("portal:article-list")).content.decode()
    assert f'src="{stored.thumbnail.url}"' in listing


def test_an_article_without_cover_has_no_og_image_and_a_later_edit_keeps_the_cover(client, people):
    client.force_login(people["community"])
    client.post(ADD_URL, content())
    article = Article.objects.get()
    assert article.current.cover is None
    client.post(
        reverse("admin:news_article_change", args=[article.pk]),
        content(cover_upload=png(), revision_seen="1"),
    )
    article.refresh_from_db()
    first_cover = article.current.cover
    assert article.current.number == 2 and first_cover is not None
    # Saving other text without a new upload keeps the same cover (no new file, same row).
    client.post(
        reverse("admin:news_article_change", args=[article.pk]),
        content(title="新的标题", revision_seen="2"),
    )
    article.refresh_from_db()
    assert article.current.number == 3 and article.current.cover == first_cover
    client.post(
        reverse("admin:news_article_change", args=[article.pk]),
        content(title="新的标题", revision_seen="3", remove_cover="on"),
    )
    article.refresh_from_db()
    assert article.current.number == 4 and article.current.cover is None
    client.logout()
    publish(article, people)
    assert og(page_of(client, article), "og:image") is None


@pytest.mark.parametrize(
    ("upload", "said"),
    [
        ("fake", "只能上传 JPEG、PNG 或 WebP"),
        ("big", "照片不能超过 10 MB"),
    ],
)
def test_a_bad_cover_is_refused_in_chinese_and_the_typed_text_is_kept(
    client, people, monkeypatch, upload, said
):
    if upload == "big":
        monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 1000)
        upload = png()
    else:  # a script named as a photo
        upload = SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>")
    client.force_login(people["community"])
    response = client.post(ADD_URL, content(title="社区志愿者清理楼道", cover_upload=upload))
    assert response.status_code == 200
    page = response.content.decode()
    assert said in text(page)
    assert 'value="社区志愿者清理楼道"' in page
    assert not Article.objects.exists() and not Cover.objects.exists()


# --- related activities and results ------------------------------------------------------------


def test_only_public_activities_are_offered_and_a_hidden_one_is_refused(client, people, place):
    shown = make_talk(place.north_a, title="民法典进社区宣讲")
    hidden = make_talk(place.north_a, title="尚未公开的宣讲", is_published=False)
    client.force_login(people["community"])
    form = client.get(ADD_URL).content.decode()
    assert "民法典进社区宣讲" in form and "尚未公开的宣讲" not in form

    response = client.post(ADD_URL, content(related_activities=[f"policytalk:{hidden.pk}"]))
    assert response.status_code == 200
    assert "相关活动只能选择已公开的活动" in text(response.content.decode())
    assert not Article.objects.exists()
    # The services refuse it too, whoever calls them.
    with pytest.raises(services.NewsError, match="相关活动只能选择已公开的活动"):
        services.create_article(
            draft(related_activities=(f"policytalk:{hidden.pk}",)), actor=people["community"]
        )

    client.post(ADD_URL, content(related_activities=[f"policytalk:{shown.pk}"]))
    article = Article.objects.get()
    assert article.current.related_activities == [f"policytalk:{shown.pk}"]
    client.logout()
    publish(article, people)
    page = page_of(client, article)
    assert "相关活动" in text(page)
    assert f'<a href="{shown.get_absolute_url()}">民法典进社区宣讲</a>' in page
    # Unpublished afterwards: it drops off the page, the approved revision is untouched.
    PolicyTalk.objects.filter(pk=shown.pk).update(is_published=False)
    page = page_of(client, article)
    assert "民法典进社区宣讲" not in page and "相关活动" not in text(page)


def test_a_public_case_result_is_linked_and_a_private_one_is_not_offered(
    client, people, place, staff
):
    public = make_case(
        place.north_a,
        actor=staff[Role.SECRETARY],
        triage=Triage.ON_THE_SPOT,
        on_the_spot_result="楼道杂物已清理完毕",
    )
    private = make_case(
        place.north_a,
        actor=staff[Role.SECRETARY],
        triage=Triage.ON_THE_SPOT,
        on_the_spot_result="路灯已修复",
    )
    Case.objects.filter(pk=public.pk).update(is_publishable=True)
    public.refresh_from_db()
    client.force_login(people["community"])
    form = client.get(ADD_URL).content.decode()
    assert public.number in form and private.number not in form
    refused = client.post(ADD_URL, content(related_results=[str(private.pk)]))
    assert "相关成果只能选择办理公开中的结果" in text(refused.content.decode())

    client.post(ADD_URL, content(related_results=[str(public.pk)]))
    article = Article.objects.get()
    client.logout()
    publish(article, people)
    page = page_of(client, article)
    assert "相关成果" in text(page) and "楼道杂物已清理完毕" in text(page)
    link = re.search(rf'<a href="([^"]+)">[^<]*{public.number}</a>', page)
    assert link is not None
    results = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert f'id="result-{public.number}"' in results


# --- share, 纠错, Open Graph --------------------------------------------------------------------


def test_the_share_qr_code_is_the_canonical_address_and_og_tags_are_absolute(
    client, people, settings
):
    settings.PORTAL_SITE_URL = SITE
    article = services.create_article(
        draft(summary="街道干部现场受理诉求"), actor=people["community"]
    )
    publish(article, people)
    page = page_of(client, article)
    canonical = f"{SITE}/news/{article.pk}/"
    assert f'<link rel="canonical" href="{canonical}">' in page
    assert og(page, "og:url") == canonical
    assert og(page, "og:type") == "article"
    assert og(page, "og:title") == "北苑社区开展“四下基层”现场办公"
    assert og(page, "og:description") == "街道干部现场受理诉求"
    expected = views.share_qr(canonical).svg_inline(scale=views.QR_SCALE, title="本页二维码")
    assert expected in page
    other = segno.make(f"{SITE}/news/{article.pk + 1}/", error="m")
    assert other.svg_inline(scale=views.QR_SCALE, title="本页二维码") not in page
    assert "用微信扫一扫" in text(page) and canonical in text(page)


def test_without_a_site_url_the_addresses_are_the_requests_own(client, people):
    article = services.create_article(draft(), actor=people["community"])
    publish(article, people)
    page = page_of(client, article)
    assert og(page, "og:url") == f"http://testserver/news/{article.pk}/"


def test_the_correction_link_names_this_article(client, people):
    article = services.create_article(draft(), actor=people["community"])
    publish(article, people)
    page = page_of(client, article)
    href = f"/jiucuo/?url=/news/{article.pk}/"
    assert f'<a href="{href}" rel="nofollow" data-report="error">纠错</a>' in page
    assert "纠错" in text(page)


def test_the_page_shows_source_author_and_shanghai_time(client, people, freeze):
    with freeze(datetime(2026, 11, 25, 2, 30, tzinfo=UTC)):
        article = services.create_article(draft(byline="李明"), actor=people["community"])
        publish(article, people)
    shown = text(page_of(client, article))
    assert "来源：凤凰岭街道办事处" in shown and "作者：李明" in shown
    assert "发布时间： 2026年11月25日 10:30" in shown  # 02:30 UTC


# --- costs -------------------------------------------------------------------------------------


def full_article(people, place, i: int, talk, case) -> Article:
    article = services.create_article(
        draft(
            title=f"第{i}篇稿件",
            cover=cover(),
            related_activities=(f"policytalk:{talk.pk}",),
            related_results=(case.pk,),
        ),
        actor=people["community"],
    )
    return publish(article, people)


def test_article_page_and_list_cost_the_same_at_1_and_50_articles(
    client, people, place, staff, django_assert_num_queries
):
    talk = make_talk(place.north_a, title="民法典进社区宣讲")
    case = make_case(
        place.north_a,
        actor=staff[Role.SECRETARY],
        triage=Triage.ON_THE_SPOT,
        on_the_spot_result="楼道杂物已清理完毕",
    )
    Case.objects.filter(pk=case.pk).update(is_publishable=True)
    first = full_article(people, place, 0, talk, case)
    urls = [reverse("portal:article-detail", args=[first.pk]), reverse("portal:article-list")]
    costs = []
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        costs.append(len(ctx.captured_queries))
    for i in range(1, 50):
        full_article(people, place, i, talk, case)
    for url, cost in zip(urls, costs, strict=True):
        with django_assert_num_queries(cost):
            page = client.get(url).content.decode()
        assert "第0篇稿件" in page or "第49篇稿件" in page
    listing = client.get(urls[1]).content.decode()
    assert listing.count("_thumb.jpg") == views.PER_PAGE


# --- revisions: diff and restore carry the cover and the links ---------------------------------


def test_the_diff_names_a_new_cover_and_links_and_a_restore_brings_them_back(client, people, place):
    talk = make_talk(place.north_a, title="民法典进社区宣讲")
    article = services.create_article(draft(), actor=people["community"])
    first = article.current
    image = cover()
    services.save_revision(
        article,
        draft(cover=image, related_activities=(f"policytalk:{talk.pk}",)),
        actor=people["community"],
    )
    client.force_login(people["community"])
    url = reverse("admin:news_article_diff", args=[article.pk])
    shown = text(client.get(url, {"old": "1", "new": "2"}).content.decode())
    assert "封面图" in shown and "640×360 图片" in shown
    assert "相关活动" in shown and "民法典进社区宣讲" in shown
    services.save_revision(article, draft(), actor=people["community"])
    article.refresh_from_db()
    assert article.current.cover is None and article.current.related_activities == []
    second = article.revisions.get(number=2)
    restored = services.restore_revision(article, second, actor=people["community"])
    assert restored.cover == image
    assert restored.related_activities == [f"policytalk:{talk.pk}"]
    assert first.cover is None
