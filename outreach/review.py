"""What a change to an activity consists of: snapshots, the difference between two of them,
merging two pending changes, and how a change reads to a publisher.

Pure helpers over rows; outreach.services decides when they are used (and writes).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

# Not part of what residents see or of what an editor changes.
SKIPPED_FIELDS = frozenset({"id", "created_by", "created_at", "updated_at", "is_published", "rota"})
SKIPPED_CHILD_FIELDS = frozenset({"id", "uploaded_at"})
FILE_FIELDS = ("image", "display", "thumbnail")


def _encode(value: Any) -> Any:
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def activity_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f for f in model._meta.concrete_fields if f.name not in SKIPPED_FIELDS and not f.primary_key
    ]


def child_relations(model: type[models.Model]) -> list[Any]:
    """The rows that belong to an activity and go with it (photos, attendance, decisions)."""
    return [
        rel
        for rel in model._meta.related_objects
        if rel.one_to_many and rel.on_delete is models.CASCADE
    ]


def _child_fields(rel: Any) -> list[models.Field]:
    return [
        f
        for f in rel.related_model._meta.concrete_fields
        if f.name not in SKIPPED_CHILD_FIELDS and f is not rel.field and not f.primary_key
    ]


def field_values(activity: models.Model) -> dict[str, Any]:
    """The activity's own fields as a change records them (the "fields" part of a snapshot)."""
    return {f.name: _encode(f.value_from_object(activity)) for f in activity_fields(type(activity))}


def snapshot(activity: models.Model) -> dict[str, Any]:
    """The activity as stored now: its fields, its lists of people or teams, its rows."""
    model = type(activity)
    return {
        "fields": field_values(activity),
        "m2m": {
            f.name: sorted(getattr(activity, f.name).values_list("pk", flat=True))
            for f in model._meta.many_to_many
        },
        "children": {
            rel.get_accessor_name(): {
                str(row.pk): {f.name: _encode(f.value_from_object(row)) for f in _child_fields(rel)}
                for row in getattr(activity, rel.get_accessor_name()).all()
            }
            for rel in child_relations(model)
        },
    }


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What `after` changes in `before`; empty parts are left out ({} when nothing changed)."""
    out: dict[str, Any] = {}
    fields_ = {
        name: [old, after["fields"][name]]
        for name, old in before["fields"].items()
        if after["fields"][name] != old
    }
    m2m = {
        name: [old, after["m2m"][name]]
        for name, old in before["m2m"].items()
        if after["m2m"][name] != old
    }
    children: dict[str, Any] = {}
    for name, rows in before["children"].items():
        new_rows = after["children"][name]
        added = [row for pk, row in new_rows.items() if pk not in rows]
        removed = [pk for pk in rows if pk not in new_rows]
        changed = {}
        for pk, row in rows.items():
            if pk in new_rows:
                edits = {k: [v, new_rows[pk][k]] for k, v in row.items() if new_rows[pk][k] != v}
                if edits:
                    changed[pk] = edits
        part = {
            k: v for k, v in (("added", added), ("removed", removed), ("changed", changed)) if v
        }
        if part:
            children[name] = part
    for key, value in (("fields", fields_), ("m2m", m2m), ("children", children)):
        if value:
            out[key] = value
    return out


def merge(earlier: dict[str, Any], later: dict[str, Any]) -> dict[str, Any]:
    """One pending change out of two, both made against the live version.

    The editor's form shows the earlier pending fields and lists, so the later change states
    them in full; rows (photos, attendance) are shown as they are live, so their additions,
    removals and edits accumulate.
    """
    out: dict[str, Any] = {k: v for k, v in later.items() if k in ("fields", "m2m")}
    children: dict[str, Any] = {}
    names = set(earlier.get("children", {})) | set(later.get("children", {}))
    for name in names:
        a = earlier.get("children", {}).get(name, {})
        b = later.get("children", {}).get(name, {})
        removed = list(dict.fromkeys([*a.get("removed", []), *b.get("removed", [])]))
        changed: dict[str, Any] = {}
        for pk, edits in [*a.get("changed", {}).items(), *b.get("changed", {}).items()]:
            if pk in removed:
                continue
            merged = dict(changed.get(pk, {}))
            for key, (old, new) in edits.items():
                merged[key] = [merged[key][0] if key in merged else old, new]
            changed[pk] = {k: v for k, v in merged.items() if v[0] != v[1]}
        changed = {pk: edits for pk, edits in changed.items() if edits}
        part = {
            k: v
            for k, v in (
                ("added", [*a.get("added", []), *b.get("added", [])]),
                ("removed", removed),
                ("changed", changed),
            )
            if v
        }
        if part:
            children[name] = part
    if children:
        out["children"] = children
    return out


def proposed_files(changes: dict[str, Any]) -> set[str]:
    """Stored files a change brings in (new or replaced photos), not yet on any public page."""
    names = set()
    for part in changes.get("children", {}).values():
        for row in part.get("added", []):
            names.update(row.get(f) for f in FILE_FIELDS if row.get(f))
        for edits in part.get("changed", {}).values():
            names.update(edits[f][1] for f in FILE_FIELDS if f in edits and edits[f][1])
    return names


class PendingPhotoStorage(FileSystemStorage):
    """Photos of a change waiting for review, under ``MEDIA_ROOT/private/pending``: no URL, so
    neither ``portal.views.public_media`` nor a web server in front of /media/photos/ serves
    them; reviewers open them through the admin's permission-checked review view."""

    @cached_property
    def base_location(self) -> str:
        return str(Path(settings.MEDIA_ROOT) / "private" / "pending")

    @cached_property
    def base_url(self) -> None:
        return None


pending_storage = PendingPhotoStorage()


def _move(names: set[str], source: Any, target: Any) -> dict[str, str]:
    """Copy files between storages (same names where free); returns old name → new name."""
    moved = {}
    for name in sorted(names):
        if not source.exists(name):
            continue
        with source.open(name, "rb") as handle:
            moved[name] = target.save(name, File(handle, name=Path(name).name))
    return moved


def _renamed(changes: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    if all(old == new for old, new in names.items()):
        return changes
    for part in changes.get("children", {}).values():
        for row in part.get("added", []):
            for f in FILE_FIELDS:
                if row.get(f) in names:
                    row[f] = names[row[f]]
        for edits in part.get("changed", {}).values():
            for f in FILE_FIELDS:
                if f in edits and edits[f][1] in names:
                    edits[f][1] = names[edits[f][1]]
    return changes


def stage_photos(changes: dict[str, Any]) -> dict:
    """Take the photos an edit uploaded off the public media at once, into pending storage
    (should the transaction roll back, an unreferenced private copy is all that is left)."""
    moved = _move(proposed_files(changes), default_storage, pending_storage)
    for name in moved:
        default_storage.delete(name)
    return _renamed(changes, moved)


def publish_photos(changes: dict[str, Any], on_commit: Callable[[Callable], None]) -> dict:
    """Bring an approved change's photos into the public media (their staged copies go once the
    approval commits; if it rolls back they stay staged)."""
    moved = _move(proposed_files(changes), pending_storage, default_storage)
    on_commit(lambda: [pending_storage.delete(name) for name in moved])
    return _renamed(changes, moved)


def decode(field_: models.Field, value: Any) -> Any:
    if isinstance(field_, models.ForeignKey):
        return value
    return field_.to_python(value)


def overlay(activity: models.Model, changes: dict[str, Any]) -> None:
    """Show a pending change's fields on an (unsaved) copy of the activity, for its editor."""
    model = type(activity)
    for name, (_old, new) in changes.get("fields", {}).items():
        f = model._meta.get_field(name)
        setattr(activity, f.attname, decode(f, new))


# --- how a change reads to the publisher -----------------------------------------------------


@dataclass
class ChangeLine:
    label: str
    live: str
    proposed: str


@dataclass
class ChangeSummary:
    lines: list[ChangeLine] = field(default_factory=list)
    photos_added: list[dict[str, str]] = field(default_factory=list)
    photos_removed: list[dict[str, str]] = field(default_factory=list)


def _shown(f: models.Field, value: Any) -> str:
    if value in (None, "", []):
        return _("（空）")
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.ForeignKey):
        row = f.related_model._default_manager.filter(pk=value).first()
        return str(row) if row is not None else str(value)
    if isinstance(f, models.BooleanField):
        return _("是") if value else _("否")
    if isinstance(f, models.DateTimeField):
        return timezone.localtime(f.to_python(value)).strftime("%Y-%m-%d %H:%M")
    return str(value)


def summary(
    model: type[models.Model],
    changes: dict[str, Any],
    live: Any,
    *,
    staged_url: Callable[[str], str],
) -> ChangeSummary:
    """The change as lines "what · now public · proposed", and the photos it adds or removes
    (``staged_url`` names where a reviewer opens a photo that is not public yet)."""

    def _photo(row: dict[str, Any], *, staged: bool = True) -> dict[str, str]:
        thumb = row.get("thumbnail") or row.get("image") or ""
        url = (staged_url(thumb) if staged else default_storage.url(thumb)) if thumb else ""
        return {"url": url, "caption": row.get("caption", "")}

    out = ChangeSummary()
    for name, (_old, new) in changes.get("fields", {}).items():
        f = model._meta.get_field(name)
        current = _encode(f.value_from_object(live))
        out.lines.append(ChangeLine(str(f.verbose_name), _shown(f, current), _shown(f, new)))
    for name, (_old, new) in changes.get("m2m", {}).items():
        f = model._meta.get_field(name)
        related = f.related_model._default_manager
        current = "、".join(str(o) for o in getattr(live, name).all()) or _("（空）")
        proposed = "、".join(str(o) for o in related.filter(pk__in=new)) or _("（空）")
        out.lines.append(ChangeLine(str(f.verbose_name), current, proposed))
    for rel in child_relations(model):
        part = changes.get("children", {}).get(rel.get_accessor_name())
        if not part:
            continue
        child = rel.related_model
        rows = {str(r.pk): r for r in getattr(live, rel.get_accessor_name()).all()}
        if "thumbnail" in {f.name for f in child._meta.concrete_fields}:
            out.photos_added += [_photo(row) for row in part.get("added", [])]
            out.photos_removed += [
                _photo(
                    {"thumbnail": rows[pk].thumbnail.name, "caption": rows[pk].caption},
                    staged=False,
                )
                for pk in part.get("removed", [])
                if pk in rows
            ]
            for pk, edits in part.get("changed", {}).items():
                if "image" in edits:
                    out.photos_added.append(_photo({k: v[1] for k, v in edits.items()}))
                    if pk in rows:
                        out.photos_removed.append(
                            _photo({"thumbnail": rows[pk].thumbnail.name}, staged=False)
                        )
                elif pk in rows:
                    for key, (_o, new) in edits.items():
                        f = child._meta.get_field(key)
                        out.lines.append(
                            ChangeLine(
                                f"{child._meta.verbose_name}·{f.verbose_name}",
                                _shown(f, _encode(f.value_from_object(rows[pk]))),
                                _shown(f, new),
                            )
                        )
            continue
        label = str(child._meta.verbose_name)
        for row in part.get("added", []):
            out.lines.append(ChangeLine(label, _("（新增）"), _describe_row(rel, row)))
        for pk in part.get("removed", []):
            if pk in rows:
                out.lines.append(ChangeLine(label, str(rows[pk]), _("（删除）")))
        for pk, edits in part.get("changed", {}).items():
            if pk in rows:
                proposed = {k: v[1] for k, v in edits.items()}
                out.lines.append(
                    ChangeLine(label, str(rows[pk]), _describe_row(rel, proposed, rows[pk]))
                )
    return out


def _describe_row(rel: Any, values: dict[str, Any], base: Any = None) -> str:
    row = rel.related_model()
    if base is not None:
        for f in _child_fields(rel):
            setattr(row, f.attname, getattr(base, f.attname))
    for f in _child_fields(rel):
        if f.name in values:
            setattr(row, f.attname, decode(f, values[f.name]))
    return str(row)
