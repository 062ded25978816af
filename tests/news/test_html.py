"""The body sanitiser: hostile payloads never survive any save path; ordinary formatting and a
pasted Word document's paragraphs do."""

from __future__ import annotations

import pytest

from portal.news import services
from portal.news.html import clean_body
from portal.news.render import body_html
from portal.roles import Role
from tests.news.test_review import draft

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
