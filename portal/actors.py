"""Who acts and who reads, as types.

The portal keeps django.contrib.auth's ``User`` (``AUTH_USER_MODEL`` is not swapped); a member of
staff is a ``User`` with a ``StaffProfile`` (``user.staff_profile``) that carries their role and
scope. Every step that changes a record is taken by a signed-in account, so services take an
``Actor``. Residents read some pages without an account; the read functions those pages reach
(scope, ``visible_to``, the permission checks) take a ``Viewer``, which may be anonymous and then
sees nothing that is not public.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User

Actor: TypeAlias = User
Viewer: TypeAlias = User | AnonymousUser

__all__ = ["Actor", "AnonymousUser", "User", "Viewer"]
