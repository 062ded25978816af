"""Column freshness: each 栏目 says when it was last updated, and the workbench tells the editor
and the secretary of a public 栏目 with nothing new for 14 days."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from portal import clock
from portal.news import services
from portal.news.models import Column
from portal.roles import Role
from tests.news.pages import approved, draft, text

pytestmark = pytest.mark.django_db


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
    def make(title: str):
        article = services.create_article(draft(title=title), actor=people["community"])
        approved(article, people)
        return services.publish(article, actor=people["editor"])

    return make


def workbench(client, user) -> str:
    client.force_login(user)
    return text(client.get(reverse("admin:index")).content.decode())


def test_column_navigation_says_when_each_column_was_updated(client, publish):
    with clock.frozen(clock.now().replace(year=2026, month=11, day=2, hour=4)):
        publish("议事会召开")
    page = text(client.get(reverse("portal:article-list")).content.decode())
    assert "基层治理 2026年11月2日更新" in page


def test_a_column_quiet_for_14_days_is_pointed_out_to_editor_and_secretary(
    client, publish, people, staff
):
    published = clock.now()
    with clock.frozen(published):
        publish("议事会召开")
    column = Column.objects.get(slug="jiceng-zhili")
    with clock.frozen(published + timedelta(days=13)):
        assert "未更新" not in workbench(client, people["editor"])
    with clock.frozen(published + timedelta(days=16)):
        page = workbench(client, people["editor"])
        assert "「基层治理」已 16 天未更新" in page
        raw = client.get(reverse("admin:index")).content.decode()
        assert f"{reverse('admin:news_article_add')}?column={column.pk}" in raw
        assert "「基层治理」已 16 天未更新" in workbench(client, people["secretary"])
        assert "未更新" not in workbench(client, staff[Role.GRID_WORKER])
        # A column with no public article at all is not a stale one.
        assert "通知公告" not in page.split("栏目更新提醒")[1].split("我的待办")[0]
        column.is_active = False
        column.save()
        assert "未更新" not in workbench(client, people["editor"])


def test_the_add_page_opens_with_the_column_chosen(client, people):
    column = Column.objects.get(slug="tongzhi-gonggao")
    client.force_login(people["editor"])
    page = client.get(reverse("admin:news_article_add") + f"?column={column.pk}").content.decode()
    assert f'<option value="{column.pk}" selected>' in page
