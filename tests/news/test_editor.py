"""The body editor: the page offers it without inline script, what it can produce is what the
sanitiser keeps, and its image button's upload goes through the image-ingestion gate and is
refused in Chinese for anything that is not a reasonable picture."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django_prose_editor.config import allowlist_from_extensions
from PIL import Image

from portal.news import html as body_html
from portal.news.editor import BODY_IMAGE_DIR, EXTENSIONS
from portal.news.html import clean_body
from portal.roles import Role
from tests.images import as_upload, jpeg_with_gps, oversize_bytes, png_with_script_payload

ADD_URL = reverse("admin:news_article_add")
UPLOAD_URL = reverse("admin:news_article_body_image")

# Attributes the editor can write that we refuse on purpose: ``rel`` is set by the sanitiser
# itself (nh3's link_rel), ``data-file`` belongs to a file picker we do not use.
REFUSED_ON_PURPOSE = {("a", "rel"), ("img", "data-file")}


def test_everything_the_editor_can_produce_is_kept_by_the_sanitiser():
    editor = allowlist_from_extensions(EXTENSIONS)
    assert editor["tags"] <= body_html.TAGS, editor["tags"] - body_html.TAGS
    for tag, attributes in editor["attributes"].items():
        ours = body_html.ATTRIBUTES.get(tag, set())
        missing = {a for a in attributes if a not in ours and (tag, a) not in REFUSED_ON_PURPOSE}
        assert not missing, (tag, missing)
    assert set(editor["url_schemes"]) == {"http", "https", "mailto"}


def test_markup_as_the_editor_writes_it_survives_the_sanitiser():
    written = (
        "<h2>一、基本情况</h2><h3>走访</h3><h4>小结</h4>"
        "<p><strong>粗</strong><em>斜</em><u>下划线</u>一行<br>二行</p>"
        '<ol type="a" data-type="lower-alpha"><li><p>甲</p></li></ol>'
        "<ul><li><p>乙</p></li></ul><blockquote><p>引文</p></blockquote><hr>"
        '<p><a href="https://www.gov.cn/" title="中国政府网">链接</a></p>'
        '<table><tbody><tr><th colspan="2" rowspan="1"><p>项目</p></th></tr>'
        "<tr><td><p>宣讲</p></td><td><p>82场</p></td></tr></tbody></table>"
        '<img src="/media/photos/news/body/a.jpg" alt="现场">'
    )
    assert clean_body(written) == written.replace(
        'title="中国政府网"', 'title="中国政府网" rel="noopener noreferrer"'
    )


def test_an_ordered_list_keeps_only_the_numbering_styles_the_editor_offers():
    assert clean_body('<ol type="I" data-type="upper-roman"><li>一</li></ol>') == (
        '<ol type="I" data-type="upper-roman"><li>一</li></ol>'
    )
    cleaned = clean_body('<ol type="x" data-type="url(javascript:alert(1))"><li>一</li></ol>')
    assert cleaned == "<ol><li>一</li></ol>"


@pytest.mark.django_db
def test_the_add_page_offers_the_editor_without_inline_script(client, staff):
    client.force_login(staff[Role.EDITOR])
    response = client.get(ADD_URL)
    page = response.content.decode()
    textarea = re.search(r"<textarea[^>]*name=\"body\"[^>]*>", page).group(0)
    config = json.loads(
        re.search(r'data-news-body-editor="([^"]*)"', textarea).group(1).replace("&quot;", '"')
    )
    assert config["extensions"]["Heading"] == {"levels": [2, 3, 4]}
    assert {"Bold", "BulletList", "Link", "Table", "Image", "History"} <= config[
        "extensions"
    ].keys()
    assert f'data-upload-url="{UPLOAD_URL}"' in textarea
    assert 'data-editor-module="/static/django_prose_editor/editor.js"' in textarea
    assert '<script src="/static/news/body_editor.js" type="module"></script>' in page
    # Every script is a file of ours: no inline one, no import map, nothing from elsewhere.
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert "src=" in tag and 'src="/' in tag and "//" not in tag.split('src="')[1], tag
    assert "importmap" not in page
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "nonce" not in csp
    # The old instruction to type HTML is gone; the new one says what to do.
    assert "&lt;p&gt;" not in page and "<p>" not in page.split('id="id_body_helptext"')[1][:300]
    assert "工具栏" in page


def test_the_editors_static_files_come_with_the_package():
    """From the installed wheel and our static folder (collectstatic), never from a CDN."""
    for path in (
        "django_prose_editor/editor.js",
        "django_prose_editor/editor.css",
        "django_prose_editor/material-icons.woff2",
        "news/body_editor.js",
        "news/css/body_editor.css",
    ):
        assert finders.find(path), path
    module = Path(finders.find("news/body_editor.js")).read_text(encoding="utf-8")
    assert "injectCSS: false" in module and "http" not in module.replace("https", "")


# --- the image upload -----------------------------------------------------------------------


def real_photo() -> bytes:
    image = Image.new("RGB", (2400, 1200), (30, 160, 60))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@pytest.mark.django_db
def test_a_picture_is_ingested_and_its_media_url_answered(client, staff):
    client.force_login(staff[Role.EDITOR])
    response = client.post(UPLOAD_URL, {"image": as_upload(jpeg_with_gps(), "现场.jpg")})
    assert response.status_code == 200
    url = response.json()["url"]
    assert url.startswith(f"{settings.MEDIA_URL}{BODY_IMAGE_DIR}/") and url.endswith(".jpg")
    stored = default_storage.open(url.removeprefix(settings.MEDIA_URL)).read()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()  # the GPS fix and the camera are gone
    # What the editor then inserts survives the sanitiser.
    assert (
        clean_body(f'<p><img src="{url}" alt="现场"></p>') == f'<p><img src="{url}" alt="现场"></p>'
    )


@pytest.mark.django_db
def test_a_large_photo_is_stored_at_display_size(client, staff):
    client.force_login(staff[Role.EDITOR])
    url = client.post(UPLOAD_URL, {"image": as_upload(real_photo())}).json()["url"]
    with Image.open(default_storage.open(url.removeprefix(settings.MEDIA_URL))) as image:
        assert max(image.size) == 1600


@pytest.mark.django_db
def test_a_png_with_a_trailing_script_is_re_encoded(client, staff):
    client.force_login(staff[Role.EDITOR])
    url = client.post(
        UPLOAD_URL, {"image": as_upload(png_with_script_payload(), "a.png", "image/png")}
    ).json()["url"]
    assert b"<script" not in default_storage.open(url.removeprefix(settings.MEDIA_URL)).read()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "name", "said"),
    [
        (
            b"<html><script>alert(1)</script></html>",
            "a.jpg",
            "只能上传 JPEG、PNG 或 WebP 格式的照片",
        ),
        (b"%PDF-1.4 not a picture", "a.png", "只能上传 JPEG、PNG 或 WebP 格式的照片"),
        (oversize_bytes(), "big.jpg", "照片不能超过 10 MB"),
        (b"", "empty.jpg", "文件是空的"),
    ],
)
def test_anything_but_a_reasonable_picture_is_refused_in_chinese(client, staff, data, name, said):
    client.force_login(staff[Role.EDITOR])
    response = client.post(UPLOAD_URL, {"image": as_upload(data, name)})
    assert response.status_code == 400
    assert said in response.json()["error"]
    assert (
        not default_storage.exists(BODY_IMAGE_DIR) or not default_storage.listdir(BODY_IMAGE_DIR)[1]
    )


@pytest.mark.django_db
def test_no_file_is_answered_in_chinese(client, staff):
    client.force_login(staff[Role.EDITOR])
    response = client.post(UPLOAD_URL, {})
    assert response.status_code == 400 and response.json()["error"] == "请选择要上传的图片。"


@pytest.mark.django_db
def test_only_staff_who_may_change_articles_may_upload(client, staff):
    for role in (Role.OFFICIAL, Role.MEDIATOR):  # 领导 read news; 调解员 have none
        client.force_login(staff[role])
        response = client.post(UPLOAD_URL, {"image": as_upload(jpeg_with_gps())})
        assert response.status_code == 403, role
    client.logout()
    response = client.post(UPLOAD_URL, {"image": as_upload(jpeg_with_gps())})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not default_storage.exists(BODY_IMAGE_DIR)


@pytest.mark.django_db
def test_the_upload_takes_only_a_post_with_the_csrf_token(staff):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff[Role.EDITOR])
    assert browser.get(UPLOAD_URL).status_code == 405
    refused = browser.post(UPLOAD_URL, {"image": as_upload(jpeg_with_gps())})
    assert refused.status_code == 403
    assert not default_storage.exists(BODY_IMAGE_DIR)
    browser.get(ADD_URL)
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = browser.post(
        UPLOAD_URL, {"image": as_upload(jpeg_with_gps())}, headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 200
