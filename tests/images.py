"""Real and hostile test images, built in memory with Pillow so no binary fixtures are committed.

Photos are drawn with a marked top-left corner (red block) so a test can tell whether orientation
was applied, not only whether the dimensions were swapped.
"""

from __future__ import annotations

import functools
import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, ImageDraw
from PIL.PngImagePlugin import PngInfo
from PIL.TiffImagePlugin import IFDRational

RED = (220, 20, 20)
GREEN = (30, 160, 60)
GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F
MODEL = 0x0110
CAMERA_MAKE = "Apple"
CAMERA_MODEL = "iPhone 15"
XMP_PACKET = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description exif:GPSLatitude="39,54.45N"/></rdf:RDF></x:xmpmeta>'
)
SCRIPT = b"<script>alert(document.cookie)</script>"


def as_upload(
    data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"
) -> SimpleUploadedFile:
    """What a view receives in ``request.FILES`` for these bytes."""
    return SimpleUploadedFile(name, data, content_type=content_type)


def marked_image(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """A green picture with a red block in the stored top-left corner."""
    image = Image.new("RGB", (width, height), GREEN)
    ImageDraw.Draw(image).rectangle(
        (0, 0, max(1, width // 4) - 1, max(1, height // 4) - 1), fill=RED
    )
    return image.convert(mode)


def gps_exif(orientation: int | None = None) -> Image.Exif:
    """EXIF as a phone writes it: camera make/model and a GPS fix (Beijing, 39°54′27″N 116°23′E)."""
    exif = Image.Exif()
    exif[MAKE] = CAMERA_MAKE
    exif[MODEL] = CAMERA_MODEL
    if orientation is not None:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (IFDRational(39, 1), IFDRational(54, 1), IFDRational(2700, 100))
    gps[3] = "E"
    gps[4] = (IFDRational(116, 1), IFDRational(23, 1), IFDRational(0, 1))
    return exif


def _save(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def photo_with_gps(
    fmt: str = "JPEG", width: int = 400, height: int = 200, orientation: int | None = None
) -> bytes:
    """A JPEG, PNG or WebP carrying make/model, GPS and (where the format allows) XMP."""
    params: dict[str, object] = {"exif": gps_exif(orientation)}
    if fmt in ("JPEG", "WEBP"):
        params["xmp"] = XMP_PACKET
    if fmt == "JPEG":
        params["comment"] = b"shot at 39.9N 116.4E"
    return _save(marked_image(width, height), fmt, **params)


def jpeg_with_gps(width: int = 400, height: int = 200, orientation: int | None = None) -> bytes:
    return photo_with_gps("JPEG", width, height, orientation)


def plain_jpeg(width: int = 400, height: int = 200) -> bytes:
    return _save(marked_image(width, height), "JPEG", quality=90)


def png_with_script_payload() -> bytes:
    """A valid PNG with a text chunk and HTML appended after IEND, which ``ImageField`` accepts."""
    info = PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    info.add_itxt("Location", "北京市东城区某街道 39.9N 116.4E")
    return _save(marked_image(120, 80), "PNG", pnginfo=info) + SCRIPT


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    )


def decompression_bomb_png(width: int = 10_000, height: int = 10_000) -> bytes:
    """A 1-bit greyscale PNG of the given size; all-black rows compress to a few KB.

    Written chunk by chunk so building it never allocates the pixels it claims to hold.
    """
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def svg_bytes() -> bytes:
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(1)</script><rect width='10' height='10'/></svg>"
    )


def html_bytes() -> bytes:
    return b"<!DOCTYPE html><html><body>" + SCRIPT + b"</body></html>"


def gif_bytes() -> bytes:
    return _save(marked_image(40, 40), "GIF")


def pdf_renamed_jpg() -> bytes:
    """A real PDF (Pillow embeds a JPEG inside it) that a user or attacker named ``.jpg``."""
    return _save(marked_image(40, 40), "PDF")


def truncated_jpeg() -> bytes:
    """A real JPEG cut in half, as an interrupted mobile upload leaves it."""
    data = plain_jpeg(800, 600)
    return data[: len(data) // 2]


def oversize_bytes(size: int = 10 * 1024 * 1024 + 1) -> bytes:
    """A real JPEG padded past the limit; the size check must fire before any decoding."""
    head = plain_jpeg(40, 40)
    return head + b"\x00" * (size - len(head))


def webp_bytes(width: int = 300, height: int = 200, *, alpha: bool = False) -> bytes:
    image = marked_image(width, height, "RGBA" if alpha else "RGB")
    if alpha:
        image.putalpha(0)
        ImageDraw.Draw(image).rectangle((0, 0, width // 2, height // 2), fill=(*RED, 255))
    return _save(image, "WEBP", quality=90, lossless=alpha)


def cmyk_jpeg(width: int = 200, height: int = 100) -> bytes:
    """A print-style CMYK JPEG filled with pure magenta+yellow, i.e. red."""
    return _save(Image.new("CMYK", (width, height), (0, 255, 255, 0)), "JPEG", quality=95)


def rgba_png(width: int = 200, height: int = 100) -> bytes:
    """A logo-like PNG: transparent background, opaque red square in the top-left quarter."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((0, 0, width // 2 - 1, height // 2 - 1), fill=(*RED, 255))
    return _save(image, "PNG")


def opaque_rgba_png(width: int = 200, height: int = 100) -> bytes:
    """A screenshot-like PNG that has an alpha channel but no transparent pixel."""
    return _save(marked_image(width, height, "RGBA"), "PNG")


def grey16_png(width: int = 64, height: int = 32, value: int = 32768) -> bytes:
    """A 16-bit greyscale PNG (scanners, medical/engineering tools) at mid grey."""
    return _save(Image.new("I;16", (width, height), value), "PNG")


@functools.cache
def srgb_icc() -> bytes:
    """One sRGB profile per run: the profile carries its creation time, so two
    calls a second apart would differ byte for byte."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def jpeg_with_icc(width: int = 300, height: int = 200) -> bytes:
    """A photo tagged with a colour profile, as cameras with wide-gamut screens write them."""
    return _save(marked_image(width, height), "JPEG", icc_profile=srgb_icc())


def mpo_jpeg(width: int = 300, height: int = 200) -> bytes:
    """A multi-picture JPEG (MPO), as some phones save portrait or depth shots."""
    first = marked_image(width, height)
    return _save(first, "MPO", save_all=True, append_images=[first.rotate(180)])
