"""Taking an article's steps the way a browser does: from the forms its change page shows."""

from __future__ import annotations

import html
import re
from typing import Any

from django.urls import reverse

from portal.news import services
from portal.news.models import Article, Column
from portal.news.services import Draft
from tests.admin_forms import form_data

PANEL_STEPS = ("submit", "sign", "send_back", "publish", "withdraw", "refresh_figures")


def draft(**changes: Any) -> Draft:
    values = {
        "title": "北苑社区开展“四下基层”现场办公",
        "column": Column.objects.get(slug="jiceng-zhili"),
        "body": "<p>街道干部在网格驿站现场受理居民诉求。</p><p>当天收到诉求12件。</p>",
        "source": "凤凰岭街道办事处",
    }
    return Draft(**{**values, **changes})


def change_url(article: Article) -> str:
    return reverse("admin:news_article_change", args=[article.pk])


def step_url(article: Article, step: str) -> str:
    return reverse("admin:news_article_step", args=[article.pk, step])


def shown_steps(page: str) -> set[str]:
    """The steps whose forms the change page shows (恢复 on a revision counts as restore,
    忽略 on a proofreading finding as dismiss)."""
    shown = {name for name in PANEL_STEPS if f'id="article-step-{name}"' in page}
    if 'id="article-restore-' in page:
        shown.add("restore")
    if 'id="article-dismiss-' in page:
        shown.add("dismiss")
    return shown


def step_data(client: Any, article: Article, step: str, **fields: Any) -> dict[str, Any]:
    """The step's form as the page shows it, with ``fields`` typed in (unprefixed names)."""
    page = client.get(change_url(article)).content.decode()
    assert step in shown_steps(page), f"no {step} on the page"
    if step == "restore":
        number = fields.pop("revision")
        data = form_data(page, f"article-restore-{number}")
    elif step == "dismiss":
        data = form_data(page, f"article-dismiss-{fields.pop('finding', 1)}")
    else:
        data = form_data(page, f"article-step-{step}")
    return data | {f"{step}-{name}": value for name, value in fields.items()}


def post_step(client: Any, article: Article, step: str, **fields: Any):
    return client.post(step_url(article, step), step_data(client, article, step, **fields))


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def approved(article: Article, people: dict) -> Article:
    services.submit(article, actor=people["community"])
    for who in ("editor", "area", "secretary"):
        services.sign(article, actor=people[who])
    article.refresh_from_db()
    return article
