"""Public base pages: Chinese by default, English on request, large type, errors in Chinese."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from portal.context_processors import TEXT_SIZE_COOKIE
from portal.roles import Role
from tests.factories import PASSWORD


@pytest.mark.django_db
def test_home_is_chinese_and_lists_communities_and_grid_stations(client, place, settings):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans"' in html
    assert f"<title>{settings.PORTAL_SITE_NAME}</title>" in html
    assert "四下基层" in html
    assert place.north.name in html and place.north_a.station in html
    assert response["Content-Language"] == "zh-hans"


@pytest.mark.django_db
def test_browser_language_does_not_switch_the_site_to_english(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans"' in response.content.decode()


@pytest.mark.django_db
def test_language_switcher_turns_the_site_and_admin_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html
    assert "Staff login" in html
    login = client.get(reverse("admin:login")).content.decode()
    assert "Password" in login
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_a_visitors_language_stays_with_their_request(client):
    # The language is per thread: an English visitor must not leave the next thing the thread
    # does (another visitor's request, a form checked in a command) speaking English.
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en"' in client.get("/").content.decode()
    assert translation.get_language() == "zh-hans"
    assert gettext("社区") == "社区"


@pytest.mark.django_db
@pytest.mark.parametrize("https", [True, False])
def test_the_language_and_type_size_cookies_are_as_safe_as_the_session_cookie(
    client, settings, https
):
    # DJANGO_HTTPS sets these at start-up (test_config checks that); here: Django uses them.
    settings.HTTPS = settings.LANGUAGE_COOKIE_SECURE = https
    language = client.post(reverse("set_language"), {"language": "en", "next": "/"}).cookies[
        settings.LANGUAGE_COOKIE_NAME
    ]
    size = client.post(reverse("portal:text-size"), {"size": "large", "next": "/"}).cookies[
        TEXT_SIZE_COOKIE
    ]
    for cookie in (language, size):
        assert cookie["samesite"] == "Lax" and cookie["httponly"] is True
        assert bool(cookie["secure"]) is https


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/admin/", ""])
def test_a_login_whose_next_address_is_refused_lands_on_the_workbench(client, staff, next_url):
    user = staff[Role.GRID_WORKER]
    response = client.post(
        f"{reverse('admin:login')}?next={next_url}",
        {"username": user.username, "password": PASSWORD, "next": next_url},
    )
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_large_type_switch_is_remembered(client):
    response = client.post(reverse("portal:text-size"), {"size": "large", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert response.cookies[TEXT_SIZE_COOKIE].value == "large"
    assert 'class="large-text"' in client.get("/").content.decode()
    client.post(reverse("portal:text-size"), {"size": "normal", "next": "/"})
    assert 'class="large-text"' not in client.get("/").content.decode()


@pytest.mark.django_db
def test_large_type_switch_does_not_redirect_off_site(client):
    response = client.post(
        reverse("portal:text-size"), {"size": "large", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("portal:home")


@pytest.mark.django_db
def test_text_size_switch_needs_post(client):
    response = client.get(reverse("portal:text-size"), {"size": "large"})
    assert response.status_code == 302 and TEXT_SIZE_COOKIE not in response.cookies


@pytest.mark.django_db
def test_unknown_page_is_a_chinese_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_500_page_is_chinese_and_self_contained(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "系统繁忙" in response.content.decode()


@pytest.mark.django_db
def test_post_without_csrf_token_is_refused_in_chinese():
    client = Client(enforce_csrf_checks=True)
    # The tracking form (the preference switches are csrf_exempt: see portal.pagecache).
    response = client.post(reverse("petitions:request-track"), {"code": "X"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


@pytest.mark.django_db
def test_pages_load_nothing_from_other_sites(client, place):
    html = client.get("/").content.decode()
    external = re.findall(r'(?:src|href)="(https?:)?//[^"]+"', html)
    assert external == []
    assert "script-src 'self'" in client.get("/")["Content-Security-Policy"]


@pytest.mark.django_db
def test_admin_header_names_the_sub_district(client, settings, staff):
    from portal.roles import Role

    client.force_login(staff[Role.SECRETARY])
    html = client.get(reverse("admin:index")).content.decode()
    assert settings.PORTAL_SITE_NAME in html
    # Staff are greeted by their name, not their login name.
    name = staff[Role.SECRETARY].staff_profile.name
    assert f"<strong>{name}</strong>" in html
    assert f"<strong>{staff[Role.SECRETARY].get_username()}</strong>" not in html


@pytest.mark.django_db
def test_navigation_links_only_to_pages_that_exist(client):
    html = client.get("/").content.decode()
    for href in set(re.findall(r'class="site-nav__link[^"]*" href="([^"]+)"', html)) | set(
        re.findall(r'href="(/[^"]*)" class="site-nav__link', html)
    ):
        assert client.get(href).status_code == 200, href


@pytest.mark.django_db
def test_public_photos_are_served_and_nothing_else(client, settings, tmp_path):
    photos = settings.MEDIA_ROOT / "photos" / "outreach"
    photos.mkdir(parents=True)
    (photos / "abc.jpg").write_bytes(b"\xff\xd8\xff\xe0fake")
    private = settings.MEDIA_ROOT / "private"
    private.mkdir()
    (private / "id-card.jpg").write_bytes(b"secret")
    response = client.get("/media/photos/outreach/abc.jpg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "immutable" in response["Cache-Control"]
    assert client.get("/media/private/id-card.jpg").status_code == 404
    assert client.get("/media/photos/../private/id-card.jpg").status_code == 404
    assert client.get("/media/photos/%2e%2e/private/id-card.jpg").status_code == 404
    assert client.get("/media/photos/outreach/missing.jpg").status_code == 404


@pytest.mark.django_db
def test_every_practice_is_in_the_menu(client):
    html = client.get("/").content.decode()
    for label, url in (
        ("政策宣讲", reverse("outreach:policytalk-list")),
        ("调查研究", reverse("outreach:fieldvisit-list")),
        ("信访接待", reverse("petitions:reception-list")),
        ("现场办公", reverse("outreach:onsitesession-list")),
        ("议事协商", reverse("outreach:deliberation-list")),
    ):
        assert re.search(rf'<a[^>]+href="{re.escape(url)}"[^>]*>\s*{label}\s*</a>', html), label


@pytest.mark.django_db
def test_the_site_has_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response.url == static("portal/favicon.ico")
    with open(finders.find("portal/favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file
    assert 'rel="icon"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_addresses_only_forms_post_to_never_show_a_blank_page(client, place):
    # Reloading or bookmarking the address a form posted to leads somewhere useful.
    assert client.get("/requests/track/rate/").url == reverse("petitions:request-track")
    assert client.get(reverse("portal:text-size")).url == reverse("portal:home")
    # HEAD is answered wherever GET is.
    for url in ("/", "/favicon.ico", reverse("petitions:request-results")):
        assert client.head(url).status_code in (200, 302), url
    # A method no page takes gets the Chinese error page and says what is allowed.
    response = client.put(reverse("petitions:request-new"))
    assert response.status_code == 405 and response["Allow"] == "GET, POST"
    assert "无法这样打开此页" in response.content.decode()


@pytest.mark.django_db
def test_trimmed_activity_address_leads_to_the_upcoming_page(client):
    assert client.get("/activities/").url == reverse("outreach:upcoming")
