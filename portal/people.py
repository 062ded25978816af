"""How a staff account is named on every screen: the person's name, not the login.

One helper for the admin lists and detail fields, timelines, exports and messages, so "登记人:
wanggeyuan" cannot come back on a screen nobody thought of. Callers that show many users load
``staff_profile`` with the user (``select_related("…__staff_profile")``).
"""

from __future__ import annotations

from portal.actors import User


def display_name(user: User | None) -> str:
    """The person's name from their staff profile, else the account's full name, else the
    login name (an account nobody has described yet); "" for no user."""
    if user is None:
        return ""
    profile = getattr(user, "staff_profile", None)
    name = (getattr(profile, "name", "") or "").strip()
    if name:
        return name
    return (user.get_full_name() or "").strip() or user.get_username()


def staff_user_label(user: User) -> str:
    """Unit and name, for pickers of staff: "凤凰岭社区 · 刘倩"."""
    profile = getattr(user, "staff_profile", None)
    if profile is None:
        return display_name(user)
    return f"{profile.unit or profile.get_role_display()} · {display_name(user)}"
