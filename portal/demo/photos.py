"""Stand-in photos for demo data, drawn with Pillow: simple scenes of people at a talk, round a
meeting table, before an open-air stage, at an on-site desk or on a visit between housing blocks.

Each photo is a JPEG carrying the camera make and GPS position a phone would write, so demo
uploads go through the same metadata stripping as real ones (``portal.images.ingest_image``).
Drawing uses only the ``rng`` passed in: the same generator state gives the same pixels.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import replace
from random import Random

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from PIL import Image, ImageDraw
from PIL.TiffImagePlugin import IFDRational

from portal.demo import texts
from portal.images import IngestedImage, ingest_image, save_renditions

# talk and meeting are indoors; stage, onsite and visit outdoors in front of housing blocks.
SCENES = ("talk", "meeting", "stage", "onsite", "visit")
W, H = 1600, 1200

# Palettes (data/photos.toml): skin, hair, clothes and facade colours as [r, g, b].
PALETTES = {
    name: [tuple(c) for c in colours] for name, colours in texts("portal.demo", "photos").items()
}
SKIN, HAIR, CLOTHES, FACADES = (PALETTES[k] for k in ("skin", "hair", "clothes", "facades"))


def _jitter(rng: Random, colour: tuple[int, int, int], amount: int = 14) -> tuple[int, ...]:
    return tuple(max(0, min(255, c + rng.randint(-amount, amount))) for c in colour)


def _gradient(draw: ImageDraw.ImageDraw, top: tuple, bottom: tuple, y0: int, y1: int) -> None:
    span = max(1, y1 - y0 - 1)
    for y in range(y0, y1):
        t = (y - y0) / span
        draw.line(
            [(0, y), (W, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )


def _person(
    draw: ImageDraw.ImageDraw, rng: Random, x: float, y: float, s: float, *, back: bool = False
) -> None:
    """A person whose shoulders are at (x, y), drawn at scale s; from behind when ``back``."""
    body = _jitter(rng, rng.choice(CLOTHES), 10)
    draw.rounded_rectangle((x - 42 * s, y, x + 42 * s, y + 150 * s), radius=int(22 * s), fill=body)
    r = 26 * s
    head = (x - r, y - 2 * r + 6 * s, x + r, y + 6 * s)
    hair = rng.choice(HAIR)
    if back:
        draw.ellipse(head, fill=hair)
    else:
        draw.ellipse(head, fill=_jitter(rng, rng.choice(SKIN), 6))
        draw.chord(head, 180, 360, fill=hair)


def _crowd(
    draw: ImageDraw.ImageDraw, rng: Random, y_far: int, y_near: int, *, back: bool, rows: int
) -> None:
    """Rows of people receding from y_near (large) to y_far (small)."""
    for n in range(rows):
        t = n / max(1, rows - 1)
        y = y_far + (y_near - y_far) * t
        s = 0.45 + 0.75 * t
        x = rng.uniform(-20, 60)
        while x < W + 40:
            if rng.random() < 0.85:
                _person(draw, rng, x, y, s, back=back)
            x += rng.uniform(70, 110) * s


def _buildings(draw: ImageDraw.ImageDraw, rng: Random, horizon: int) -> None:
    x = -rng.randint(0, 120)
    while x < W:
        width, height = rng.randint(200, 340), rng.randint(240, 520)
        top = horizon - height
        draw.rectangle((x, top, x + width, horizon), fill=_jitter(rng, rng.choice(FACADES)))
        glass = _jitter(rng, (120, 150, 175), 20)
        for wy in range(top + 24, horizon - 30, 46):
            for wx in range(x + 18, x + width - 30, 44):
                draw.rectangle((wx, wy, wx + 24, wy + 26), fill=glass)
        x += width + rng.randint(10, 60)


def _banner(draw: ImageDraw.ImageDraw, rng: Random, box: tuple[int, int, int, int]) -> None:
    """A red banner with pale blocks where the characters would be."""
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=_jitter(rng, (190, 28, 32), 10))
    glyph = (y1 - y0) * 0.55
    gx = x0 + (x1 - x0) * 0.08
    while gx + glyph < x1 - (x1 - x0) * 0.08:
        gy = y0 + (y1 - y0 - glyph) / 2
        draw.rectangle((gx, gy, gx + glyph, gy + glyph), fill=(250, 226, 150))
        gx += glyph * 1.25


def _outdoor(draw: ImageDraw.ImageDraw, rng: Random) -> int:
    horizon = rng.randint(560, 660)
    sky_top = _jitter(rng, (70, 130, 205), 20)
    _gradient(draw, sky_top, _jitter(rng, (190, 215, 235), 10), 0, horizon)
    _buildings(draw, rng, horizon)
    _gradient(draw, _jitter(rng, (150, 150, 145)), _jitter(rng, (110, 108, 100)), horizon, H)
    return horizon


def _scene_image(rng: Random, scene: str) -> Image.Image:
    image = Image.new("RGB", (W, H))
    draw = ImageDraw.Draw(image)
    if scene in ("talk", "meeting"):
        wall = _jitter(rng, (228, 220, 204), 12)
        _gradient(draw, wall, _jitter(rng, (200, 190, 172), 10), 0, 700)
        _gradient(draw, _jitter(rng, (150, 110, 80)), _jitter(rng, (110, 80, 60)), 700, H)
        for wx in (120, W - 420):  # windows
            draw.rectangle((wx, 140, wx + 300, 520), fill=(205, 225, 240), outline=(240, 240, 240))
        _banner(draw, rng, (420, 90, W - 420, 210))
        if scene == "talk":
            draw.rectangle((700, 420, 900, 640), fill=_jitter(rng, (120, 70, 40)))  # lectern
            _person(draw, rng, 800, 330, 1.0)
            _crowd(draw, rng, 640, 1080, back=True, rows=4)
        else:
            table = _jitter(rng, (120, 78, 48), 10)
            draw.polygon([(560, 560), (1040, 560), (1400, 1200), (200, 1200)], fill=table)
            for n in range(4):
                t = n / 3
                y, s = 470 + 420 * t, 0.7 + 0.5 * t
                _person(draw, rng, 520 - 260 * t, y, s)
                _person(draw, rng, 1080 + 260 * t, y, s)
                for cx in (640 - 160 * t, 960 + 160 * t):  # tea cups
                    draw.ellipse((cx, y + 90 * s, cx + 30 * s, y + 110 * s), fill=(245, 245, 240))
    elif scene == "stage":
        horizon = _outdoor(draw, rng)
        stage = _jitter(rng, (160, 30, 40), 15)
        draw.rectangle((250, horizon - 260, W - 250, horizon + 60), fill=stage)
        _banner(draw, rng, (330, horizon - 240, W - 330, horizon - 150))
        draw.rectangle((230, horizon + 40, W - 230, horizon + 110), fill=(90, 60, 40))
        for n in range(rng.randint(2, 4)):
            _person(draw, rng, 500 + n * 230 + rng.randint(-30, 30), horizon - 120, 1.0)
        _crowd(draw, rng, horizon + 170, 1100, back=True, rows=4)
    elif scene == "onsite":
        horizon = _outdoor(draw, rng)
        canopy = _jitter(rng, rng.choice([(30, 90, 170), (190, 30, 35)]), 10)
        draw.polygon([(380, 330), (1220, 330), (1320, 470), (280, 470)], fill=canopy)
        for px in (300, 1300):
            draw.rectangle((px - 8, 470, px + 8, 900), fill=(200, 200, 200))
        _banner(draw, rng, (420, 360, 1180, 440))
        _person(draw, rng, 640, 600, 0.95)
        _person(draw, rng, 960, 600, 0.95)
        draw.rectangle((420, 700, 1180, 860), fill=_jitter(rng, (180, 30, 35), 10))  # table
        draw.rectangle((1380, horizon - 40, 1500, horizon + 200), fill=(245, 245, 245))  # sign
        for n in range(rng.randint(3, 5)):
            _person(draw, rng, 360 + n * 230 + rng.randint(-40, 40), 840, 1.35, back=True)
    else:  # visit
        horizon = _outdoor(draw, rng)
        draw.rectangle((0, horizon + 10, W, horizon + 90), fill=(90, 140, 70))  # lawn
        group = rng.randint(3, 5)
        for n in range(group):
            x = 380 + n * (900 / max(1, group - 1)) + rng.randint(-40, 40)
            _person(draw, rng, x, horizon + 120 + rng.randint(-20, 20), 1.35)
        draw.rectangle((560, horizon + 260, 640, horizon + 330), fill=(250, 250, 250))  # notebook
    # Soften the hard drawn edges the cheap way (a Gaussian blur costs ten times as much).
    return image.reduce(2).resize((W, H), Image.Resampling.BILINEAR)


def _phone_exif() -> Image.Exif:
    """What a phone camera writes, GPS included; ingestion must throw all of it away."""
    exif = Image.Exif()
    exif[0x010F] = "DemoPhone"  # Make
    exif[0x0110] = "DP-1"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1], gps[3] = "N", "E"
    gps[2] = (IFDRational(40, 1), IFDRational(50, 1), IFDRational(1200, 100))
    gps[4] = (IFDRational(111, 1), IFDRational(44, 1), IFDRational(3000, 100))
    return exif


def scene_photo(rng: Random, scene: str) -> bytes:
    """A 1600×1200 JPEG of ``scene`` (one of SCENES) with phone-style EXIF, GPS included."""
    if scene not in SCENES:
        raise ValueError(f"unknown demo photo scene {scene!r}; expected one of {SCENES}")
    buffer = io.BytesIO()
    _scene_image(rng, scene).save(buffer, "JPEG", quality=88, exif=_phone_exif())
    return buffer.getvalue()


class Album:
    """Photos for demo rows: ``variants`` drawings per scene, made once and ingested like an
    upload (EXIF and GPS stripped, renditions made), then given to each photo row under file
    names of its own, so deleting one photo never takes another's files."""

    def __init__(self, rng: Random, variants: int = 2) -> None:
        self.rng, self.variants = rng, variants
        self.drawn: dict[str, list[tuple[IngestedImage, tuple[bytes, ...]]]] = {}

    def photograph(self, photo: models.Model, scene: str) -> None:
        """Give the unsaved ``photo`` row (its activity, caption and order set) the files of one
        of ``scene``'s drawings and save it."""
        if scene not in self.drawn:
            self.drawn[scene] = [self._draw(scene) for _ in range(self.variants)]
        ingested, data = self.rng.choice(self.drawn[scene])
        stem, ext = uuid.uuid4().hex, ingested.original.name.rsplit(".", 1)[-1]
        own = replace(
            ingested,
            original=ContentFile(data[0], name=f"{stem}.{ext}"),
            display=ContentFile(data[1], name=f"{stem}_display.{ext}"),
            thumb=ContentFile(data[2], name=f"{stem}_thumb.{ext}"),
        )
        save_renditions(photo, own)
        photo.save()

    def _draw(self, scene: str) -> tuple[IngestedImage, tuple[bytes, ...]]:
        upload = SimpleUploadedFile(
            "photo.jpg", scene_photo(self.rng, scene), content_type="image/jpeg"
        )
        ingested = ingest_image(upload)
        data = []
        for content in (ingested.original, ingested.display, ingested.thumb):
            content.seek(0)
            data.append(content.read())
        return ingested, tuple(data)
