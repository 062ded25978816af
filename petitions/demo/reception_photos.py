"""Photos on about twenty held receptions: drawn by ``portal.demo_photos`` (the on-site,
talk and meeting scenes fit) and stored through the same ingestion as an upload, a couple of
variants per scene shared between receptions, each row with files of its own."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import replace
from random import Random

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from outreach.demo.rows import Row
from outreach.models import ActivityStatus
from petitions.demo.content_reception import CAPTIONS
from petitions.models import ReceptionKind, ReceptionPhoto
from portal.demo_photos import scene_photo
from portal.images import IngestedImage, ingest_image, save_renditions

QUOTA = {
    ReceptionKind.LEADER_DAY: 6,
    ReceptionKind.LEGAL_ADVICE: 4,
    ReceptionKind.LEGAL_OUTREACH: 6,
    ReceptionKind.MEDIATION: 4,
}  # 20 receptions
VARIANTS = 2  # distinct images drawn per scene


def _drawn(rng: Random, scene: str) -> tuple[IngestedImage, tuple[bytes, ...]]:
    upload = SimpleUploadedFile("photo.jpg", scene_photo(rng, scene), content_type="image/jpeg")
    ingested = ingest_image(upload)
    data = []
    for content in (ingested.original, ingested.display, ingested.thumb):
        content.seek(0)
        data.append(content.read())
    return ingested, tuple(data)


def _own_files(ingested: IngestedImage, data: tuple[bytes, ...]) -> IngestedImage:
    """The same pixels under new random names, so each photo row owns its files."""
    stem, ext = uuid.uuid4().hex, ingested.original.name.rsplit(".", 1)[-1]
    return replace(
        ingested,
        original=ContentFile(data[0], name=f"{stem}.{ext}"),
        display=ContentFile(data[1], name=f"{stem}_display.{ext}"),
        thumb=ContentFile(data[2], name=f"{stem}_thumb.{ext}"),
    )


def attach_photos(rows: list[Row], rng: Random) -> int:
    """One or two photos on ``QUOTA`` held, published receptions; returns photos made."""
    candidates: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.scene and row.obj.status == ActivityStatus.HELD and row.obj.is_published:
            candidates[row.obj.kind].append(row)
    images: dict[str, list] = {}
    made = 0
    for kind, quota in QUOTA.items():
        chosen = rng.sample(candidates[kind], k=min(quota, len(candidates[kind])))
        for row in chosen:
            if row.scene not in images:
                images[row.scene] = [_drawn(rng, row.scene) for _ in range(VARIANTS)]
            count = 2 if rng.random() < 0.4 else 1
            for order, (ingested, data) in enumerate(rng.sample(images[row.scene], k=count)):
                photo = ReceptionPhoto(
                    activity=row.obj, caption=rng.choice(CAPTIONS[kind]), sort_order=order
                )
                save_renditions(photo, _own_files(ingested, data))
                photo.save()
                made += 1
    return made
