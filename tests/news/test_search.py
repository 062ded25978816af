"""News search: any 2- or 4-character substring of a public article finds it (on PostgreSQL
through the character-pair index, on SQLite by containment); only public articles; hostile
queries get a Chinese message, never a 500; hits are marked, escaped, in title and excerpt."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import clock
from portal.news import public, search, services
from portal.news.models import Article
from portal.roles import Role
from tests.news.pages import approved, draft, text

pytestmark = pytest.mark.django_db

BODY = (
    "<p>为了让居民少跑腿，街道在三个网格设立了议事点，每周二下午由网格员轮流值守。</p>"
    "<p>本周起小区<strong>物业服务中心</strong>延长办公时间，居民反映的停车难、"
    "电梯维修等问题将在七个工作日内答复。</p>"
    "<p>下一步，街道将继续推动“四下基层”常态化，把问题解决在家门口。</p>"
)


@pytest.fixture
def people(staff):
    return {
        "editor": staff[Role.EDITOR],
        "area": staff[Role.AREA_LEADER],
        "secretary": staff[Role.SECRETARY],
        "community": staff[Role.COMMUNITY_SECRETARY],
    }


@pytest.fixture
def publish(people):
    def make(title: str, body: str = BODY, at=None, **fields) -> Article:
        content = draft(title=title, body=body, **fields)
        article = services.create_article(content, actor=people["community"])
        approved(article, people)
        return services.publish(article, actor=people["editor"], at=at)

    return make


def found(client, q: str) -> str:
    response = client.get(reverse("portal:search"), {"q": q})
    assert response.status_code == 200
    return text(response.content.decode())


def test_lexemes_are_characters_and_adjacent_pairs_of_each_run():
    assert search.lexemes("物业服务，ＡB") == sorted(
        ["物", "业", "服", "务", "物业", "业服", "服务", "a", "b", "ab"]
    )
    assert search.query_lexemes("物业服务") == ["物业", "业服", "服务"]
    assert search.query_lexemes("物") == ["物"]
    assert search.query_lexemes("物业 x") == ["物业", "x"]
    assert search.query_lexemes("'&|!():*") == []
    assert search.tsquery_text("物业服务") == "'物业' & '业服' & '服务'"


@pytest.mark.parametrize("q", ["物业服务", "物业", "议事", "电梯维修", "跑"])
def test_a_substring_from_the_middle_of_the_body_finds_the_article(client, publish, q):
    publish("街道便民服务再升级")
    publish("另一篇不相关的稿件", body="<p>老年食堂开业，提供午餐。</p>")
    page = found(client, q)
    assert "找到 1 篇" in page
    assert "街道便民服务再升级" in page
    assert "另一篇不相关的稿件" not in page


def test_a_phrase_across_formatting_and_in_the_summary_is_found(client, publish):
    publish("网格议事", summary="社区居民议事会定期召开")
    assert "网格议事" in found(client, "定期召开")
    assert "网格议事" in found(client, "服务中心")  # inside <strong>


def test_pairs_occurring_apart_do_not_match(client, publish):
    # 物业, 业服 and 服务 all occur, but never as 物业服务.
    article = publish("物业管理", body="<p>物业管理走向专业服务。</p>")
    if search.indexed():
        assert list(search.matching(Article.objects.all(), "物业服务")) == [article]
    assert "找到 0 篇" in found(client, "物业服务")
    assert "物业管理" in found(client, "专业服务")


def test_withdrawn_and_scheduled_articles_are_not_found(client, publish, people):
    withdrawn = publish("已撤回的稿件")
    services.withdraw(withdrawn, actor=people["editor"], reason="信息有误")
    publish("定时发布的稿件", at=clock.now() + timedelta(hours=1))
    page = found(client, "物业服务")
    assert "找到 0 篇" in page
    assert "已撤回的稿件" not in page and "定时发布的稿件" not in page
    with clock.frozen(clock.now() + timedelta(hours=2)):
        services.publish_due()
    page = found(client, "物业服务")
    assert "定时发布的稿件" in page and "已撤回的稿件" not in page


@pytest.mark.parametrize(
    "q", ["'&|!():*", "'", "\\", "!!", "()", ":*", "&", "——", "物业' & !(", "物业:*|服务"]
)
def test_hostile_queries_get_a_page_not_an_error(client, publish, q):
    publish("街道便民服务再升级")
    page = found(client, q)
    assert "找到 0 篇" in page
    assert "没有找到相关新闻" in page
    if not search.query_lexemes(q):
        assert "关键词里没有可搜索的文字" in page


def test_hits_are_marked_in_title_and_excerpt(client, publish):
    publish("物业服务再升级")
    response = client.get(reverse("portal:search"), {"q": "物业服务"})
    page = response.content.decode()
    assert "<mark>物业服务</mark>再升级" in page
    assert "本周起小区<mark>物业服务</mark>中心延长办公时间" in page
    # The excerpt is the text around the hit, not the body's beginning.
    assert "为了让居民少跑腿" not in page


def test_markup_in_query_and_body_is_shown_as_text(client, publish):
    body = "<p>有人在留言里写了 &lt;script&gt;alert(1)&lt;/script&gt; 试图捣乱。</p>"
    publish("留言板<script>通报", body=body)
    page = client.get(reverse("portal:search"), {"q": "<script>"}).content.decode()
    assert "<script>alert" not in page
    assert "<mark>&lt;script&gt;</mark>alert(1)" in page
    assert "留言板<mark>&lt;script&gt;</mark>通报" in page
    assert "找到 1 篇" in text(page)


def test_title_hits_rank_first_then_the_most_hits(client, publish):
    with clock.frozen(clock.now() - timedelta(days=2)):
        publish("议事点在哪里", body="<p>居民议事点设在驿站。</p>")
    with clock.frozen(clock.now() - timedelta(days=1)):
        publish("多次提到", body="<p>驿站驿站驿站都有议事点。</p>")
    publish("最新一篇", body="<p>驿站一处。</p>")
    titles = [a.live.title for a in public.search("驿站")]
    assert titles == ["多次提到", "最新一篇", "议事点在哪里"]
    assert public.search("议事点").first().live.title == "议事点在哪里"


def test_search_page_costs_the_same_queries_for_one_and_many(
    client, publish, django_assert_max_num_queries
):
    publish("第一篇")
    url = reverse("portal:search")
    with django_assert_max_num_queries(50) as one:
        client.get(url, {"q": "物业"})
    for n in range(5):
        publish(f"第{n + 2}篇")
    with django_assert_max_num_queries(50) as many:
        client.get(url, {"q": "物业"})
    assert len(many.captured_queries) == len(one.captured_queries)


@pytest.mark.postgres
def test_postgresql_search_goes_through_the_index(publish):
    publish("街道便民服务再升级")
    with CaptureQueriesContext(connection) as queries:
        found = list(public.search("物业"))
    candidates = [q["sql"] for q in queries.captured_queries if '"search_vector" @@' in q["sql"]]
    assert len(candidates) == 1 and "::tsquery" in candidates[0], queries.captured_queries
    assert [a.live.title for a in found] == ["街道便民服务再升级"]
    # A tiny table: the full query may start from another index; the match alone uses this one
    # (bench/search.py shows the whole query's plan at 10,000 articles).
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        query, params = search.matching(Article.objects.all(), "物业服务").query.sql_with_params()
        cursor.execute(f"EXPLAIN {query}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "article_search_gin" in plan, plan


def test_letters_match_whatever_their_case(publish):
    publish("无线网络覆盖", body="<p>社区驿站开通免费WiFi，全天开放。</p>")
    for q in ("wifi", "WIFI", "WiFi"):
        assert [a.live.title for a in public.search(q)] == ["无线网络覆盖"], q


@pytest.mark.postgres
def test_one_or_two_characters_are_answered_by_the_index_alone(publish):
    publish("街道便民服务再升级")
    with CaptureQueriesContext(connection) as short:
        assert [a.live.title for a in public.search("物业")] == ["街道便民服务再升级"]
    with CaptureQueriesContext(connection) as long:
        assert [a.live.title for a in public.search("物业服务")] == ["街道便民服务再升级"]
    # The candidates and the ranked page; a longer phrase also checks its candidates' text,
    # since its pairs may occur apart.
    assert len(short.captured_queries) == 2, short.captured_queries
    assert len(long.captured_queries) == 3, long.captured_queries
    # Two characters held apart across a sentence are no hit.
    publish("分开写的", body="<p>小区的物。业主委员会成立。</p>")
    assert [a.live.title for a in public.search("物业")] == ["街道便民服务再升级"]


@pytest.mark.postgres
def test_vector_follows_what_is_public(publish, people):
    article = publish("街道便民服务再升级")
    vector = Article.objects.values_list("search_vector", flat=True).get(pk=article.pk)
    assert "'物业'" in vector and "'业服'" in vector
    services.withdraw(article, actor=people["editor"], reason="信息有误")
    assert Article.objects.values_list("search_vector", flat=True).get(pk=article.pk) is None


@pytest.mark.postgres
def test_migration_backfills_published_articles(client, publish):
    publish("街道便民服务再升级")
    Article.objects.update(search_vector=None)
    assert "找到 0 篇" in found(client, "物业")
    migration = importlib.import_module("portal.news.migrations.0005_search_bigram_vector")
    migration.backfill(apps, connection)
    assert "找到 1 篇" in found(client, "物业")
    Article.objects.update(search_vector=None)
    assert search.refresh_all() == 1
    assert "找到 1 篇" in found(client, "物业")


def test_words_separated_by_spaces_are_each_found_anywhere(client, publish):
    publish("两个词都有", body="<p>社区议事会上，居民谈到物业费的用途。</p>")
    publish("只有一个词", body="<p>社区开展读书活动。</p>")
    for q in ("社区 物业", "物业　社区", " 社区  物业 "):  # 全角 space too
        assert [a.live.title for a in public.search(q)] == ["两个词都有"], q
    page = client.get(reverse("portal:search"), {"q": "社区 物业"}).content.decode()
    assert "找到 1 篇" in text(page)
    assert "<mark>社区</mark>议事会上，居民谈到<mark>物业</mark>费" in page


def test_a_word_is_not_found_across_a_paragraph_break(client, publish):
    publish("分段的稿件", body="<p>说到小区的物</p><p>业主委员会已经成立。</p>")
    assert list(public.search("物业")) == []
    assert [a.live.title for a in public.search("业主")] == ["分段的稿件"]
    page = client.get(reverse("portal:search"), {"q": "业主"}).content.decode()
    assert "说到小区的物 <mark>业主</mark>委员会" in page  # the excerpt keeps the break as a space
