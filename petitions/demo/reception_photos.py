"""Photos on about twenty held receptions: drawn by ``portal.demo.photos`` (the on-site,
talk and meeting scenes fit) and stored through the same ingestion as an upload, a couple of
variants per scene shared between receptions, each row with files of its own."""

from __future__ import annotations

from collections import defaultdict
from random import Random

from outreach.demo.rows import Row
from outreach.models import ActivityStatus
from petitions.demo.content_reception import CAPTIONS
from petitions.models import ReceptionKind, ReceptionPhoto
from portal.demo.photos import Album

QUOTA = {
    ReceptionKind.LEADER_DAY: 6,
    ReceptionKind.LEGAL_ADVICE: 4,
    ReceptionKind.LEGAL_OUTREACH: 6,
    ReceptionKind.MEDIATION: 4,
}  # 20 receptions
VARIANTS = 2  # distinct images drawn per scene


def attach_photos(rows: list[Row], rng: Random) -> int:
    """One or two photos on ``QUOTA`` held, published receptions; returns photos made."""
    candidates: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.scene and row.obj.status == ActivityStatus.HELD and row.obj.is_published:
            candidates[row.obj.kind].append(row)
    album, made = Album(rng, variants=VARIANTS), 0
    for kind, quota in QUOTA.items():
        chosen = rng.sample(candidates[kind], k=min(quota, len(candidates[kind])))
        for row in chosen:
            for order in range(2 if rng.random() < 0.4 else 1):
                photo = ReceptionPhoto(
                    activity=row.obj, caption=rng.choice(CAPTIONS[kind]), sort_order=order
                )
                album.photograph(photo, row.scene)
                made += 1
    return made
