"""Bring the role groups in line with the matrix in portal.roles (also runs after migrate)."""

from django.core.management.base import BaseCommand

from portal.roles import GROUP_NAMES
from portal.services import sync_roles


class Command(BaseCommand):
    help = "按 portal/roles.py 的权限矩阵同步各角色用户组（可重复运行）。"

    def handle(self, *args: object, **options: object) -> None:
        for role, count in sync_roles().items():
            self.stdout.write(f"{GROUP_NAMES[role]}：{count} 项权限")
