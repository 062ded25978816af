"""The application reaches other modules only through their public names.

Outside ``tests/`` (and migrations) no code patches another module at run time (``mock``,
``patch``), reaches into Django's private machinery (``_savepoint_allowed``, ``_get_default``)
or uses a first-party module's underscored names: renaming a private helper must never break
``make run``. The demo writes its year through the services' public seams instead
(``petitions.services.trusted_caller``, ``petitions.services.bulk_writing``,
``outreach.services.bulk_writing``), which no web request can open.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from outreach import services as outreach_services
from petitions import services
from petitions.services import trust
from portal.middleware import ServingRequestMiddleware, serving_request
from portal.roles import Role
from tests.factories import make_case

ROOT = Path(__file__).resolve().parents[2]
FIRST_PARTY = ("portal", "outreach", "petitions")
SKIPPED_DIRS = {"tests", "migrations", ".venv", "staticfiles", "node_modules", ".git"}
FORBIDDEN_MODULES = ("unittest", "mock")
FORBIDDEN_CALLS = {"patch", "patch.object", "patch.dict", "patch.multiple"}
FORBIDDEN_ATTRIBUTES = {"_savepoint_allowed", "_get_default"}
# Where the trusted callers' seams may be named: their own package and the demo seeder.
SEAM_NAMES = {"trusted_caller", "bulk_writing"}
SEAM_USERS = (
    "petitions/services/",
    "petitions/demo/",
    "outreach/services.py",
    "outreach/trust.py",
    "outreach/demo/",
)


def application_files(root: Path = ROOT) -> list[Path]:
    return sorted(
        path
        for path in root.rglob("*.py")
        if not SKIPPED_DIRS.intersection(path.relative_to(root).parts)
    )


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def is_first_party(module: str) -> bool:
    return module.split(".")[0] in FIRST_PARTY


def is_module(dotted: str, root: Path = ROOT) -> bool:
    base = root.joinpath(*dotted.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for an attribute chain of names, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and (head := dotted(node.value)):
        return f"{head}.{node.attr}"
    return None


def violations(path: Path, root: Path = ROOT) -> list[str]:
    """What ``path`` does that this module's docstring rules out, as ``file:line: what``."""
    here = module_name(path, root)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    modules: dict[str, str] = {}  # local name → first-party module it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in FORBIDDEN_MODULES or alias.name == "unittest.mock":
                    found.append((node.lineno, f"imports {alias.name}"))
                if is_first_party(alias.name):
                    if alias.asname:
                        modules[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        modules[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in FORBIDDEN_MODULES:
                found.append((node.lineno, f"imports from {node.module}"))
            for alias in node.names:
                if alias.name in {"mock", "patch"}:
                    found.append((node.lineno, f"imports {alias.name} from {node.module}"))
                if not is_first_party(node.module):
                    continue
                if is_private(alias.name) and node.module != here:
                    found.append((node.lineno, f"imports {alias.name} from {node.module}"))
                full = f"{node.module}.{alias.name}"
                if is_module(full, root):
                    modules[alias.asname or alias.name] = full
        elif isinstance(node, ast.Call):
            name = dotted(node.func)
            if name and (name in FORBIDDEN_CALLS or name.endswith((".patch", ".patch.object"))):
                found.append((node.lineno, f"calls {name}"))
        elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            found.append((node.lineno, f"uses attribute {node.attr}"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or not is_private(node.attr):
            continue
        owner = dotted(node.value)
        if owner is None:
            continue
        head, _, rest = owner.partition(".")
        if head not in modules:
            continue
        target = f"{modules[head]}.{rest}" if rest else modules[head]
        if is_module(target, root) and target != here:
            found.append((node.lineno, f"uses {target}.{node.attr}"))
    for node in ast.walk(tree):
        named = (
            (isinstance(node, ast.Name) and node.id in SEAM_NAMES)
            or (isinstance(node, ast.Attribute) and node.attr in SEAM_NAMES)
            or (isinstance(node, ast.alias) and node.name in SEAM_NAMES)
        )
        rel = path.relative_to(root).as_posix()
        if named and not rel.startswith(SEAM_USERS):
            found.append((node.lineno, "opens a trusted caller's seam outside the demo"))
    rel = path.relative_to(root).as_posix()
    return [f"{rel}:{line}: {what}" for line, what in sorted(set(found))]


def test_application_code_uses_only_public_seams():
    problems = [problem for path in application_files() for problem in violations(path)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from unittest import mock\n", "imports from unittest"),
        ("import unittest.mock\n", "imports unittest.mock"),
        ("from x import patch\npatch('a.b')\n", "calls patch"),
        ("import mock\nmock.patch.object(a, 'b', 1)\n", "calls mock.patch.object"),
        ("connection._savepoint_allowed = 1\n", "uses attribute _savepoint_allowed"),
        ("field._get_default()\n", "uses attribute _get_default"),
        ("from portal.workdays import _overrides\n", "imports _overrides from portal.workdays"),
        ("from portal import workdays\nworkdays._overrides\n", "uses portal.workdays._overrides"),
        ("import portal.workdays\nportal.workdays._SLACK\n", "uses portal.workdays._SLACK"),
        ("from petitions.services import trusted_caller\n", "opens a trusted caller's seam"),
    ],
)
def test_the_scan_names_each_kind_of_violation(tmp_path, source, expected):
    for package in FIRST_PARTY:  # the scan resolves module names against the real tree
        (tmp_path / package).symlink_to(ROOT / package)
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    found = violations(tmp_path / "app.py", tmp_path)
    assert found and all(line.startswith("app.py:") for line in found)
    assert any(expected in line for line in found), found


def test_the_scan_allows_own_privates_dunders_and_public_names(tmp_path):
    (tmp_path / "portal").symlink_to(ROOT / "portal")
    source = (
        "from portal.workdays import add_working_days\n"
        "from portal import workdays\n"
        "workdays.__name__\n"
        "def _mine(): ...\n"
        "_mine()\n"
    )
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    assert violations(tmp_path / "app.py", tmp_path) == []


def test_the_seams_refuse_to_open_during_a_request():
    opened: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        assert serving_request()
        for seam in (
            services.trusted_caller,
            services.bulk_writing,
            outreach_services.bulk_writing,
        ):
            with pytest.raises(RuntimeError, match="not for web requests"), seam():
                opened.append(seam.__name__)
        return HttpResponse("ok")

    response = ServingRequestMiddleware(view)(RequestFactory().get("/"))
    assert response.status_code == 200 and opened == [] and not serving_request()


def test_a_seam_opened_before_a_request_does_not_reach_it():
    def view(request: HttpRequest) -> HttpResponse:
        assert not trust.is_trusted()
        return HttpResponse("ok")

    with services.trusted_caller():
        assert trust.is_trusted()
        ServingRequestMiddleware(view)(RequestFactory().get("/"))
    assert not trust.is_trusted()


@pytest.mark.django_db
def test_admin_and_public_views_run_with_the_scope_checks_on(client, monkeypatch, place, staff):
    """Every scope question the staff's and the residents' case pages ask is asked untrusted."""
    answers: list[bool] = []
    real = trust.is_trusted

    def spy() -> bool:
        answers.append(real())
        return answers[-1]

    monkeypatch.setattr(trust, "is_trusted", spy)
    case = make_case(place.north_a)
    tracked = client.post(
        "/requests/track/", {"code": case.tracking_code, "last4": "5678"}, follow=True
    )
    assert tracked.status_code == 200 and case.number in tracked.content.decode()
    client.force_login(staff[Role.SECRETARY])
    for url in (f"/admin/petitions/case/{case.pk}/change/", "/admin/petitions/case/", "/"):
        assert client.get(url).status_code == 200
    assert answers and not any(answers)
