"""The photo gate: what is accepted, what is refused and with which message, and what is stored."""

from __future__ import annotations

import io

import pytest
from django import forms
from django.core.exceptions import ValidationError
from PIL import Image, ImageFile

from portal.images import (
    MAX_UPLOAD_BYTES,
    ImageRejected,
    IngestedImage,
    PhotoField,
    ingest_image,
    save_renditions,
)
from tests import images as img

MESSAGES = {
    "too_large": "照片不能超过 10 MB，请压缩后再上传。",
    "bad_format": "只能上传 JPEG、PNG 或 WebP 格式的照片。",
    "too_many_pixels": "照片像素过大（超过 4000 万像素），请缩小后再上传。",
    "corrupt": "照片文件已损坏，无法读取。",
    "empty": "文件是空的。",
}
# What Pillow reports for any JPEG it wrote itself: no metadata a person put there.
HARMLESS_JPEG_INFO = {
    "jfif",
    "jfif_version",
    "jfif_unit",
    "jfif_density",
    "dpi",
    "progressive",
    "progression",
}


def renditions(result: IngestedImage) -> dict[str, bytes]:
    files = {"original": result.original, "display": result.display, "thumb": result.thumb}
    for file in files.values():
        file.seek(0)
    return {name: file.read() for name, file in files.items()}


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def is_red(pixel: tuple[int, ...]) -> bool:
    r, g, b = pixel[:3]
    return r > 180 and g < 80 and b < 80


def reject(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> str:
    """Ingest and return the refusal code, checking the user sees the matching Chinese message."""
    with pytest.raises(ImageRejected) as caught:
        ingest_image(img.as_upload(data, name, content_type))
    assert caught.value.messages == [MESSAGES[caught.value.code]]
    return caught.value.code


# --- metadata and orientation ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_location_and_camera_data_are_removed_from_every_rendition(fmt):
    source = img.photo_with_gps(fmt, 5000, 2500)
    assert b"Exif\x00\x00" in source or opened(source).getexif().get_ifd(img.GPS_IFD)

    result = ingest_image(img.as_upload(source, "IMG_0001.jpg"))

    for name, data in renditions(result).items():
        out = opened(data)
        assert not out.getexif(), name
        assert not out.getexif().get_ifd(img.GPS_IFD), name
        assert b"Exif" not in data, name
        assert img.CAMERA_MAKE.encode() not in data, name
        assert b"xmpmeta" not in data, name
        assert b"39.9N" not in data, name
        assert set(out.info) <= HARMLESS_JPEG_INFO, name


def test_photo_sizes_are_capped_without_changing_the_shape():
    result = ingest_image(img.as_upload(img.jpeg_with_gps(5000, 2500)))

    sizes = {name: opened(data).size for name, data in renditions(result).items()}
    assert sizes == {"original": (4096, 2048), "display": (1600, 800), "thumb": (400, 200)}
    assert (result.width, result.height) == (4096, 2048)
    assert result.format == "JPEG"
    assert result.content_type == "image/jpeg"
    assert all(opened(data).format == "JPEG" for data in renditions(result).values())


def test_small_photo_is_never_upscaled():
    result = ingest_image(img.as_upload(img.plain_jpeg(300, 120)))

    sizes = {name: opened(data).size for name, data in renditions(result).items()}
    assert sizes == {"original": (300, 120), "display": (300, 120), "thumb": (300, 120)}


def test_sideways_phone_photo_comes_out_upright():
    # Orientation 6: the camera stored the picture rotated; viewers turn it 90° clockwise.
    result = ingest_image(img.as_upload(img.jpeg_with_gps(400, 200, orientation=6)))

    assert (result.width, result.height) == (200, 400)
    for name, data in renditions(result).items():
        out = opened(data)
        assert out.width < out.height, name
        # The stored top-left red block is now in the top-right corner.
        assert is_red(out.getpixel((out.width - 5, 5))), name
        assert not is_red(out.getpixel((5, 5))), name


def test_script_appended_to_png_is_not_stored():
    source = img.png_with_script_payload()
    assert b"<script" in source

    result = ingest_image(img.as_upload(source, "logo.png", "image/png"))

    for name, data in renditions(result).items():
        assert b"<script" not in data, name
        assert b"tEXt" not in data and b"iTXt" not in data, name
        assert "Comment" not in opened(data).info, name


# --- accepted formats -----------------------------------------------------------------------


def test_webp_photo_is_accepted_and_stored_as_jpeg():
    result = ingest_image(img.as_upload(img.webp_bytes(300, 200), "a.webp", "image/webp"))

    out = opened(result.original.read())
    assert out.format == "JPEG"
    assert out.size == (300, 200)
    assert is_red(out.getpixel((5, 5)))


@pytest.mark.parametrize(
    "data", [img.rgba_png(200, 100), img.webp_bytes(200, 100, alpha=True)], ids=["png", "webp"]
)
def test_transparent_image_keeps_its_transparency_as_png(data):
    result = ingest_image(img.as_upload(data, "logo.png", "image/png"))

    assert result.format == "PNG"
    assert result.content_type == "image/png"
    assert result.original.name.endswith(".png")
    for name, rendition in renditions(result).items():
        out = opened(rendition).convert("RGBA")
        assert out.getpixel((out.width - 2, out.height - 2))[3] == 0, name
        assert out.getpixel((2, 2))[3] == 255, name


def test_png_with_unused_alpha_channel_is_stored_as_jpeg():
    result = ingest_image(img.as_upload(img.opaque_rgba_png(), "screenshot.png", "image/png"))

    assert result.format == "JPEG"
    assert result.original.name.endswith(".jpg")


def test_cmyk_jpeg_is_converted_to_rgb_with_its_colours():
    result = ingest_image(img.as_upload(img.cmyk_jpeg(200, 100)))

    for name, data in renditions(result).items():
        out = opened(data)
        assert out.mode == "RGB", name
        assert is_red(out.getpixel((10, 10))), name


def test_16_bit_greyscale_png_keeps_its_brightness():
    result = ingest_image(img.as_upload(img.grey16_png(value=32768), "scan.png", "image/png"))

    out = opened(result.original.read())
    assert out.mode == "L"
    assert 120 <= out.getpixel((3, 3)) <= 136  # mid grey, not clipped to white


def test_each_ingestion_gets_new_unguessable_names():
    data = img.plain_jpeg()

    first = ingest_image(img.as_upload(data))
    second = ingest_image(img.as_upload(data))

    stem = first.original.name.removesuffix(".jpg")
    assert len(stem) == 32
    assert first.display.name == f"{stem}_display.jpg"
    assert first.thumb.name == f"{stem}_thumb.jpg"
    assert first.original.name != second.original.name
    assert "photo" not in first.original.name


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (img.svg_bytes(), "photo.jpg", "image/jpeg"),
        (img.svg_bytes(), "drawing.svg", "image/svg+xml"),
        (img.gif_bytes(), "photo.jpg", "image/jpeg"),
        (img.pdf_renamed_jpg(), "photo.jpg", "image/jpeg"),
        (img.html_bytes(), "photo.png", "image/png"),
    ],
    ids=["svg-as-jpg", "svg", "gif", "pdf-as-jpg", "html-as-png"],
)
def test_files_that_are_not_jpeg_png_or_webp_are_refused(data, name, content_type):
    assert reject(data, name, content_type) == "bad_format"


def test_empty_file_is_refused():
    assert reject(b"") == "empty"


def test_truncated_photo_is_refused_as_damaged():
    assert reject(img.truncated_jpeg()) == "corrupt"


def test_photo_with_a_broken_header_is_refused_as_damaged():
    assert reject(img.plain_jpeg()[:40]) == "corrupt"


def test_file_over_10_mb_is_refused():
    assert reject(img.oversize_bytes()) == "too_large"


def test_photo_of_exactly_10_mb_is_accepted():
    result = ingest_image(img.as_upload(img.oversize_bytes(MAX_UPLOAD_BYTES)))

    assert (result.width, result.height) == (40, 40)


def test_size_is_enforced_even_when_the_declared_size_lies():
    class LyingUpload(io.BytesIO):
        name = "photo.jpg"
        size = 1024

    with pytest.raises(ImageRejected) as caught:
        ingest_image(LyingUpload(img.oversize_bytes()))
    assert caught.value.code == "too_large"


@pytest.mark.parametrize(
    ("width", "height"),
    [(10_000, 10_000), (7_000, 7_000)],
    ids=["100MP-pillow-limit", "49MP-our-limit"],
)
def test_decompression_bomb_is_refused_before_decoding(monkeypatch, width, height):
    bomb = img.decompression_bomb_png(width, height)
    assert len(bomb) < 20_000

    def must_not_decode(self):
        raise AssertionError("pixel data was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", must_not_decode)

    assert reject(bomb, "photo.png", "image/png") == "too_many_pixels"


# --- form field -----------------------------------------------------------------------------


class PhotoForm(forms.Form):
    photo = PhotoField()


def test_photo_field_cleans_a_good_upload_to_renditions():
    form = PhotoForm(data={}, files={"photo": img.as_upload(img.jpeg_with_gps())})

    assert form.is_valid(), form.errors
    assert isinstance(form.cleaned_data["photo"], IngestedImage)
    assert b"Exif" not in form.cleaned_data["photo"].original.read()


def test_photo_field_shows_the_chinese_reason_on_the_field():
    form = PhotoForm(data={}, files={"photo": img.as_upload(img.svg_bytes(), "x.jpg")})

    assert not form.is_valid()
    assert form.errors["photo"] == [MESSAGES["bad_format"]]
    error = form.errors.as_data()["photo"][0]
    assert error.code == "bad_format"


def test_photo_field_reports_an_empty_file_in_our_words():
    with pytest.raises(ValidationError) as caught:
        PhotoField().clean(img.as_upload(b""))
    assert caught.value.messages == [MESSAGES["empty"]]


def test_optional_photo_field_without_upload_is_none():
    assert PhotoField(required=False).clean(None) is None


def test_required_photo_field_without_upload_is_an_error():
    with pytest.raises(ValidationError):
        PhotoField().clean(None)


def test_photo_field_tells_the_browser_and_the_user_what_is_accepted():
    html = str(PhotoForm()["photo"])

    assert 'accept="image/jpeg,image/png,image/webp"' in html
    assert (
        str(PhotoField().help_text)
        == "JPEG、PNG 或 WebP，不超过 10 MB；上传时自动去除拍摄位置等信息。"
    )


# --- attaching to a model -------------------------------------------------------------------


class RecordingFile:
    def __init__(self) -> None:
        self.saved: tuple[str, bytes, bool] | None = None

    def save(self, name: str, content, save: bool = True) -> None:
        self.saved = (name, content.read(), save)


class Photo:
    def __init__(self) -> None:
        self.image = RecordingFile()
        self.display = RecordingFile()
        self.thumbnail = RecordingFile()


def test_save_renditions_puts_each_rendition_in_its_field_without_saving_the_row():
    ingested = ingest_image(img.as_upload(img.jpeg_with_gps(2000, 1000)))
    photo = Photo()

    save_renditions(photo, ingested)

    assert photo.image.saved[0] == ingested.original.name
    assert photo.display.saved[0] == ingested.display.name
    assert photo.thumbnail.saved[0] == ingested.thumb.name
    assert opened(photo.image.saved[1]).size == (2000, 1000)
    assert opened(photo.display.saved[1]).size == (1600, 800)
    assert opened(photo.thumbnail.saved[1]).size == (400, 200)
    assert not any(f.saved[2] for f in (photo.image, photo.display, photo.thumbnail))


def test_colour_profile_is_kept_so_colours_do_not_shift():
    result = ingest_image(img.as_upload(img.jpeg_with_icc()))

    for name, data in renditions(result).items():
        assert opened(data).info.get("icc_profile") == img.srgb_icc(), name


def test_multi_picture_phone_jpeg_is_accepted_as_one_photo():
    result = ingest_image(img.as_upload(img.mpo_jpeg(300, 200)))

    out = opened(renditions(result)["original"])
    assert out.format == "JPEG"
    assert getattr(out, "n_frames", 1) == 1
    assert out.size == (300, 200)
    assert is_red(out.getpixel((5, 5)))
