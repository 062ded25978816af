"""Photos on about forty held, published activities: drawn by ``portal.demo.photos`` and stored
through the same ingestion as an upload, a few variants per scene shared between activities."""

from __future__ import annotations

from collections import defaultdict
from random import Random

from django.db import models

from outreach.demo.rows import Row
from outreach.models import (
    Activity,
    ActivityStatus,
    Deliberation,
    DeliberationPhoto,
    FieldVisit,
    FieldVisitPhoto,
    OnsiteSession,
    OnsiteSessionPhoto,
    PolicyTalk,
    PolicyTalkPhoto,
)
from portal.demo.photos import Album

PHOTO_MODELS: dict[type[Activity], type[models.Model]] = {
    PolicyTalk: PolicyTalkPhoto,
    FieldVisit: FieldVisitPhoto,
    OnsiteSession: OnsiteSessionPhoto,
    Deliberation: DeliberationPhoto,
}
PHOTO_QUOTA = {"talk": 8, "stage": 7, "onsite": 11, "visit": 8, "meeting": 6}  # 40 activities
PHOTO_VARIANTS = 3  # distinct images drawn per scene, shared by that scene's activities

CAPTIONS = {
    "talk": ["宣讲现场", "居民认真聆听宣讲", "宣讲员与居民互动交流", "会后现场答疑"],
    "stage": ["演出现场", "居民观看演出", "文艺骨干精彩表演", "志愿者维持现场秩序"],
    "onsite": ["干部在网格驿站接待居民", "现场办公受理诉求", "居民当面反映问题", "登记诉求"],
    "visit": ["入户走访了解情况", "查看楼院环境", "与居民拉家常听心声", "实地查看问题点位"],
    "meeting": ["议事协商会现场", "各方代表发表意见", "居民代表举手表决", "讨论议定事项"],
}


def attach_photos(rows: list[Row], rng: Random) -> int:
    """One or two photos on about forty held, published activities; returns photos made."""
    candidates: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.scene and row.obj.status == ActivityStatus.HELD and row.obj.is_published:
            candidates[row.scene].append(row)
    album, made = Album(rng, variants=PHOTO_VARIANTS), 0
    for scene, quota in PHOTO_QUOTA.items():
        chosen = rng.sample(candidates[scene], k=min(quota, len(candidates[scene])))
        if not chosen:
            continue
        for row in chosen:
            model = PHOTO_MODELS[type(row.obj)]
            for order in range(2 if rng.random() < 0.4 else 1):
                photo = model(
                    activity=row.obj, caption=rng.choice(CAPTIONS[scene]), sort_order=order
                )
                album.photograph(photo, scene)
                made += 1
    return made
