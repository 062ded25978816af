"""One gate for every uploaded photo: decide by content, refuse bombs, strip metadata, re-encode.

Django's ``ImageField`` is not an upload policy (tests/portal/test_images.py shows why): it
accepts a PNG with a trailing ``<script>``, lets a 12 KB 100-megapixel PNG through with only a
warning, and keeps GPS EXIF. Residents' and grid workers' phone photos carry their precise
location, which 《个人信息保护法》 treats as sensitive, so nothing of the uploaded file is stored
as-is: we keep only decoded pixels (and a colour profile) and write fresh files from them.

Output format: JPEG for anything without real transparency (small, shown everywhere), PNG when some
pixel is actually transparent. PNG rather than WebP because PNG is lossless for the logos and
screenshots that use transparency and every browser, WeChat web view and office viewer our officials
use can open it; an RGBA image whose alpha is fully opaque is treated as a photo and saved as JPEG.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass
from typing import IO, Any, Protocol

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
ACCEPT = "image/jpeg,image/png,image/webp"

RENDITION_FIELDS = ("image", "display", "thumbnail")

ORIGINAL_MAX_SIDE = 4096
DISPLAY_MAX_SIDE = 1600
THUMB_MAX_SIDE = 400
JPEG_QUALITY = 85

# An ICC profile is a few KB; a larger one is more likely a smuggling channel than a colour space.
MAX_ICC_BYTES = 256 * 1024

_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
_EXTENSIONS = {"JPEG": "jpg", "PNG": "png"}
# ICC header bytes 16..20 name the colour space the profile describes.
_ICC_SPACE_FOR_MODE = {"RGB": b"RGB ", "RGBA": b"RGB ", "L": b"GRAY"}
_ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "RGBa", "La"})
_GREY_MODES = frozenset({"1", "L", "LA", "La"})
# Enough to recognise a file that claims to be one of ours, so a damaged photo is called damaged
# rather than "wrong format".
_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


class ImageRejected(ValidationError):
    """A refused upload; ``code`` says why so callers and tests need not parse the message."""


class _Upload(Protocol):
    name: str | None

    def read(self, size: int = ..., /) -> bytes: ...
    def seek(self, offset: int, whence: int = ..., /) -> int: ...


@dataclass(frozen=True)
class IngestedImage:
    """The three renditions written once at upload, so pages never resize on the fly.

    File names are random (uuid4) so a photo's URL cannot be guessed from another one; ``width``
    and ``height`` are those of ``original``, after EXIF orientation was applied.
    """

    original: ContentFile
    display: ContentFile
    thumb: ContentFile
    width: int
    height: int
    format: str
    content_type: str


def ingest_image(upload: _Upload | IO[bytes]) -> IngestedImage:
    """Turn an uploaded file into clean renditions or raise ``ImageRejected``.

    The order matters: size before reading everything, header dimensions before decoding pixels,
    and a full decode before anything is written, so hostile or broken input costs little and ends
    as a clear refusal rather than a 500.
    """
    data = _read_capped(upload)
    image = _open_checked(data)
    icc = image.info.get("icc_profile") or None
    image = _orient(image)
    image, fmt, icc = _normalise(image, icc)

    image.thumbnail((ORIGINAL_MAX_SIDE, ORIGINAL_MAX_SIDE), Image.Resampling.LANCZOS)
    display = image.copy()
    display.thumbnail((DISPLAY_MAX_SIDE, DISPLAY_MAX_SIDE), Image.Resampling.LANCZOS)
    thumb = display.copy()
    thumb.thumbnail((THUMB_MAX_SIDE, THUMB_MAX_SIDE), Image.Resampling.LANCZOS)

    stem = uuid.uuid4().hex
    ext = _EXTENSIONS[fmt]
    return IngestedImage(
        original=ContentFile(_encode(image, fmt, icc), name=f"{stem}.{ext}"),
        display=ContentFile(_encode(display, fmt, icc), name=f"{stem}_display.{ext}"),
        thumb=ContentFile(_encode(thumb, fmt, icc), name=f"{stem}_thumb.{ext}"),
        width=image.width,
        height=image.height,
        format=fmt,
        content_type=_CONTENT_TYPES[fmt],
    )


def save_renditions(
    instance: Any,
    ingested: IngestedImage,
    *,
    fields: tuple[str, ...] = RENDITION_FIELDS,
) -> None:
    """Attach the renditions to a model instance's three file fields without saving the row.

    The caller saves the row itself (usually inside a service with its own transaction), so this
    only writes the files to storage and sets the field values. Files are written at once; if the
    transaction later rolls back they stay in storage unreferenced (harmless, names are random).
    A photo replaced on an existing row takes its old files with it once the change commits.
    """
    if getattr(instance, "pk", None):
        discard_files_on_commit(instance, fields)
    renditions = (ingested.original, ingested.display, ingested.thumb)
    for field, content in zip(fields, renditions, strict=True):
        getattr(instance, field).save(content.name, content, save=False)


def discard_files_on_commit(instance: Any, fields: tuple[str, ...] = RENDITION_FIELDS) -> None:
    """Delete the files an instance refers to now, once the current transaction commits.

    Used when a photo row is deleted (also by cascade: portal.apps connects it to every photo
    model's post_delete) or its picture replaced, so a removed photo of a resident's request does
    not stay readable in storage. Nothing is deleted if the transaction rolls back.
    """
    stored = [
        (file.storage, file.name) for file in (getattr(instance, f) for f in fields) if file.name
    ]

    def delete() -> None:
        for storage, name in stored:
            storage.delete(name)

    if stored:
        transaction.on_commit(delete)


def photo_deleted(sender: type, instance: Any, **kwargs: Any) -> None:
    """post_delete receiver for photo models (see portal.apps)."""
    discard_files_on_commit(instance)


class PhotoField(forms.FileField):
    """A form field whose cleaned value is an ``IngestedImage`` (or ``None`` if nothing was sent).

    Ingestion happens in ``clean()`` so an invalid photo is reported on the field like any other
    error. The widget is a plain file input: a browser cannot refill it when the form is shown
    again, and there is no stored file here to "clear".
    """

    widget = forms.FileInput(attrs={"accept": ACCEPT})
    default_help_text = gettext_lazy(
        "JPEG、PNG 或 WebP，不超过 10 MB；上传时自动去除拍摄位置等信息。"
    )

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", self.default_help_text)
        # ingest_image reports an empty file with our own wording and code.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(**kwargs)
        # The admin's tabular inlines title a column that is not a model field with this
        # attribute, and fall back to the English field name without it.
        self.short_description = self.label

    def clean(self, data: Any, initial: Any = None) -> IngestedImage | None:
        upload = super().clean(data, initial)
        if not upload or upload is initial:
            return None
        try:
            return ingest_image(upload)
        except ImageRejected as exc:
            raise ValidationError(exc.message, code=exc.code) from exc


def _read_capped(upload: _Upload | IO[bytes]) -> bytes:
    """Read at most one byte past the limit, trusting neither the declared size nor the client."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ImageRejected(_("照片不能超过 10 MB，请压缩后再上传。"), code="too_large")
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageRejected(_("照片不能超过 10 MB，请压缩后再上传。"), code="too_large")
    if not data:
        raise ImageRejected(_("文件是空的。"), code="empty")
    return data


def _open_checked(data: bytes) -> Image.Image:
    """Identify by content, check the header's dimensions, then decode every pixel.

    ``Image.open`` reads only the header, so the pixel limit is enforced before any image memory
    is allocated. Pillow's own bomb check (its limit is global and ~89 MP by default) is turned into
    an error too, in case its limit is the lower one. ``catch_warnings`` is not thread-safe, but
    nothing depends on it alone: our own check runs right after and uses the lower limit.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many_pixels() from exc
        except UnidentifiedImageError as exc:
            if _claims_allowed_format(data):
                raise _corrupt() from exc
            raise ImageRejected(
                _("只能上传 JPEG、PNG 或 WebP 格式的照片。"), code="bad_format"
            ) from exc
        except Exception as exc:  # any parser failure on hostile input is a refusal, not a 500
            raise _corrupt() from exc

        width, height = image.size
        if width * height > MAX_PIXELS:
            raise _too_many_pixels()
        try:
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many_pixels() from exc
        except Exception as exc:
            raise _corrupt() from exc
    return image


def _orient(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation so the photo is upright once the EXIF is gone.

    A camera that writes unreadable EXIF still took a usable photo, so a failure here keeps the
    pixels as stored instead of refusing the upload.
    """
    try:
        # In place: a 40 MP photo is ~120 MB decoded, and a copy would double that.
        ImageOps.exif_transpose(image, in_place=True)
    except Exception:
        return image
    return image


def _normalise(image: Image.Image, icc: bytes | None) -> tuple[Image.Image, str, bytes | None]:
    """Bring any decoded mode to L/RGB (JPEG) or RGBA (PNG) and keep only a matching profile."""
    if image.mode == "CMYK":
        return _cmyk_to_srgb(image, icc), "JPEG", None
    if image.mode.startswith("I") or image.mode == "F":
        # 16-bit greyscale PNGs: a plain convert("L") clips everything above 255 to white.
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")

    if image.mode in _ALPHA_MODES or "transparency" in image.info:
        rgba = image.convert("RGBA")
        min_alpha, _max_alpha = rgba.getchannel("A").getextrema()
        if min_alpha < 255:
            return rgba, "PNG", _matching_icc(icc, "RGBA")
        grey = image.mode in _GREY_MODES
        image = rgba.convert("L" if grey else "RGB")

    target = "L" if image.mode in _GREY_MODES else "RGB"
    if image.mode != target:
        image = image.convert(target)
    return image, "JPEG", _matching_icc(icc, target)


def _cmyk_to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert print-oriented CMYK through its profile when it has one; browsers cannot show it."""
    if icc and len(icc) <= MAX_ICC_BYTES:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
            converted = ImageCms.profileToProfile(image, source, srgb, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass
        else:
            if converted is not None:
                return converted
    return image.convert("RGB")


def _matching_icc(icc: bytes | None, mode: str) -> bytes | None:
    """Keep the profile only if it describes the colour space we actually write."""
    if not icc or len(icc) > MAX_ICC_BYTES or len(icc) < 20:
        return None
    return icc if icc[16:20] == _ICC_SPACE_FOR_MODE[mode] else None


def _encode(image: Image.Image, fmt: str, icc: bytes | None) -> bytes:
    """Write pixels (and the profile) only: Pillow copies some ``info`` keys, e.g. JPEG comments."""
    image.info = {}
    params: dict[str, Any] = {"icc_profile": icc} if icc else {}
    if fmt == "JPEG":
        params.update(quality=JPEG_QUALITY, optimize=True, progressive=True)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def _claims_allowed_format(data: bytes) -> bool:
    return data.startswith(_SIGNATURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _too_many_pixels() -> ImageRejected:
    return ImageRejected(
        _("照片像素过大（超过 4000 万像素），请缩小后再上传。"), code="too_many_pixels"
    )


def _corrupt() -> ImageRejected:
    return ImageRejected(_("照片文件已损坏，无法读取。"), code="corrupt")
