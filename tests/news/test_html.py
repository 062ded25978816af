"""The body sanitiser: hostile payloads never survive any save path; ordinary formatting and a
pasted Word document's paragraphs do."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from portal.news import services
from portal.news.html import clean_body
from portal.news.models import Article, Column
from portal.news.render import body_html
from portal.roles import Role
from tests.news.pages import approved, text
from tests.news.test_review import draft

PASTE = Path(__file__).parent / "paste"

HOSTILE = [
    '<p>好</p><script>alert("x")</script>',
    '<img src="/media/a.jpg" onerror="alert(1)">',
    '<a href="javascript:alert(1)">点我</a>',
    '<a href="JaVaScRiPt&colon;alert(1)">点我</a>',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<img src="data:image/png;base64,iVBORw0KGgo=">',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">段落</p>',
    '<iframe src="https://evil.example/"></iframe>',
    '<img src="https://evil.example/track.gif">',
    '<img src="//evil.example/track.gif">',
]

WORD_PASTE = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<style>p.MsoNormal {mso-style-parent:""; margin:0cm;}</style></head><body>
<!--[if gte mso 9]><xml><o:OfficeDocumentSettings/></xml><![endif]-->
<p class="MsoNormal" style="mso-line-height-rule:exactly"><span lang="ZH-CN"
 style="font-family:宋体;mso-ascii-font-family:Calibri">十一月二十日，街道召开“四下基层”推进会。</span><o:p></o:p></p>
<p class="MsoNormal"><font face="仿宋" size="4"><b>一是</b>深入网格走访居民。</font>
<o:p>&nbsp;</o:p></p>
</body></html>"""


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_markup_never_survives(payload):
    cleaned = clean_body(payload).lower()
    for bad in ("<script", "onerror", "onload", "onclick", "javascript", "data:", "<svg",
                "<iframe", "style=", "evil.example", "alert"):  # fmt: skip
        assert bad not in cleaned, (payload, cleaned)


def test_ordinary_formatting_survives():
    html = (
        "<h2>标题</h2><h3>小标题</h3><h4>三级</h4><p><strong>粗</strong><em>斜</em></p>"
        "<ul><li>一</li></ul><ol><li>二</li></ol><blockquote>引文</blockquote>"
        '<p><a href="https://www.gov.cn/">国务院</a><a href="/news/">新闻</a>'
        '<a href="mailto:jd@example.cn">邮件</a></p><img src="/media/news/a.jpg" alt="图">'
        "<table><thead><tr><th>项目</th></tr></thead><tbody><tr><td>82场</td></tr></tbody></table>"
    )
    cleaned = clean_body(html)
    for kept in ("<h2>", "<h3>", "<h4>", "<strong>", "<em>", "<ul>", "<ol>", "<li>",
                 "<blockquote>", 'href="https://www.gov.cn/"', 'href="/news/"',
                 'href="mailto:jd@example.cn"', 'src="/media/news/a.jpg"', "<table>",
                 "<thead>", "<tbody>", "<th>", "<td>82场</td>"):  # fmt: skip
        assert kept in cleaned, kept


def test_a_word_paste_keeps_its_paragraphs_and_loses_its_junk():
    cleaned = clean_body(WORD_PASTE)
    assert cleaned.count("<p>") == 2
    assert "十一月二十日，街道召开“四下基层”推进会。" in cleaned
    assert "<b>一是</b>深入网格走访居民。" in cleaned
    for junk in ("mso", "class=", "style", "<font", "o:p", "<span", "宋体", "<!--", "MsoNormal"):
        assert junk not in cleaned, junk


@pytest.mark.django_db
def test_every_save_path_stores_the_cleaned_body(staff):
    author = staff[Role.COMMUNITY_SECRETARY]
    hostile = '<p onclick="x()">正文</p><script>alert(1)</script>'
    article = services.create_article(draft(body=hostile), actor=author)
    first = article.current
    assert first.body == "<p>正文</p>"
    second = services.save_revision(
        article, draft(body='<p>改后<img src="x" onerror="alert(1)"></p>'), actor=author
    )
    assert second.body == "<p>改后</p>"
    restored = services.restore_revision(article, first, actor=author)
    assert restored.body == "<p>正文</p>"
    assert str(body_html(restored)) == "<p>正文</p>"


@pytest.mark.django_db
def test_a_body_that_is_only_script_is_refused_as_empty(staff):
    with pytest.raises(services.NewsError, match="请填写正文"):
        services.create_article(
            draft(body="<script>alert(1)</script>"), actor=staff[Role.COMMUNITY_SECRETARY]
        )


# What Word 2016 puts on the clipboard (trimmed; written for these tests): unquoted attributes,
# mso styles, a list whose bullets are text between supportLists conditionals, <o:p>, a table
# with widths, smart tags.
WORD_CLIPBOARD = (PASTE / "word_clipboard.html").read_text(encoding="utf-8")

# A WeChat (公众号) article as the browser copies it: sections with inline styles, data-src
# images from WeChat's servers, an audio card.
WECHAT_CLIPBOARD = (PASTE / "wechat_clipboard.html").read_text(encoding="utf-8")


def test_word_clipboard_keeps_paragraphs_text_and_table_and_loses_the_junk():
    cleaned = re.sub(r">\s+<", "><", clean_body(WORD_CLIPBOARD))
    assert cleaned.count("<p>") == 7  # title, body, two list items, two cells, the credit
    for kept in (
        "<p><b>凤凰岭街道召开“四下基层”工作推进会</b></p>",
        "<p>11月20日上午，街道党工委召开推进会，部署下一阶段工作。",
        "<p>走访居民120户</p>",
        "<p>解决问题12件</p>",
        "<table><tbody><tr><td><p>宣讲场次</p></td><td><p>82</p></td></tr></tbody></table>",
        "<p>（街道党政办供稿）</p>",
    ):
        assert kept in cleaned, (kept, cleaned)
    for junk in ("mso", "Mso", "class", "style", "<span", "<font", "o:p", "st1:", "<div",
                 "Wingdings", "宋体", "仿宋", "font-", "width", "valign", "border", "align",
                 "WordDocument", "<!--", "<![", "lang", "2.", "\u00a0", "&nbsp;"):  # fmt: skip
        assert junk not in cleaned, (junk, cleaned)


def test_wechat_clipboard_keeps_paragraphs_and_loses_styles_and_outside_images():
    cleaned = clean_body(WECHAT_CLIPBOARD)
    assert "<p>近日，凤凰岭社区组织志愿者开展入户走访。</p>" in cleaned
    assert "<p><strong>下一步，</strong>社区将持续跟进居民诉求。</p>" in cleaned
    for junk in ("<section", "style", "class", "mmbiz", "data-src", "<img", "mpvoice", "<span"):
        assert junk not in cleaned, (junk, cleaned)


def test_an_unclosed_word_list_marker_costs_little_and_keeps_the_text():
    body = "<p><![if !supportLists]>" + "一" * 40_000 + "</p>"
    assert clean_body(body) == "<p>" + "一" * 40_000 + "</p>"


MIXED_HOSTILE = (
    "<h2>通知</h2><p>请<strong>居民</strong>周五前到社区登记。</p>"
    '<script>alert("x")</script>'
    '<p><img src="/media/photos/news/body/a.jpg" onerror="alert(2)" alt="现场"></p>'
    '<p><a href="javascript:alert(3)">点我领取</a> <a href="https://www.gov.cn/">政府网</a></p>'
    '<svg onload="alert(4)"><circle r="5"/></svg>'
    '<p><img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoNSk+" alt="x"></p>'
    "<ul><li>带身份证</li><li>带户口本</li></ul>"
    "<table><tbody><tr><th>时间</th><td>周五</td></tr></tbody></table>"
)


@pytest.mark.django_db
def test_a_hostile_body_posted_through_the_admin_is_stored_and_rendered_harmless(
    client, staff, django_capture_on_commit_callbacks
):
    people = {
        "editor": staff[Role.EDITOR],
        "area": staff[Role.AREA_LEADER],
        "secretary": staff[Role.SECRETARY],
        "community": staff[Role.COMMUNITY_SECRETARY],
    }
    client.force_login(people["community"])
    response = client.post(
        reverse("admin:news_article_add"),
        {
            "title": "居民登记通知",
            "column": str(Column.objects.get(slug="jiceng-zhili").pk),
            "source": "北苑社区居委会",
            "byline": "",
            "summary": "",
            "body": MIXED_HOSTILE,
            "tags": "",
            "revision_seen": "",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get()
    stored = article.current.body
    approved(article, people)
    services.publish(article, actor=people["editor"])
    client.logout()
    page = client.get(reverse("portal:article-detail", args=[article.pk])).content.decode()
    shown = page.split('<div class="news-article__body">', 1)[1].split("</div>", 1)[0]
    for html in (stored, shown):
        lowered = html.lower()
        for bad in ("<script", "alert", "onerror", "onload", "javascript:", "<svg", "data:"):
            assert bad not in lowered, (bad, html)
        for kept in ("<h2>通知</h2>", "<strong>居民</strong>", "<ul><li>带身份证</li>",
                     "<table>", "<th>时间</th>", 'href="https://www.gov.cn/"',
                     '<img src="/media/photos/news/body/a.jpg" alt="现场">'):  # fmt: skip
            assert kept in html, (kept, html)
    assert "周五前到社区登记。" in text(page)
    assert "点我领取" in text(page)  # the text of the refused link stays, as plain text
