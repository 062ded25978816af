"""Give an account its role and scope from the server (bootstrap the first party secretary)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.models import Community, Grid
from portal.roles import Role
from portal.services import grant_role, scope_problem


class Command(BaseCommand):
    help = (
        "由服务器管理员设定账号的角色与负责范围（立即生效，用于开通第一位街道党工委书记）。"
        "例：grant_role wangzg secretary --name 王志刚"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument("--name", required=True, help="姓名")
        parser.add_argument("--title", default="", help="职务")
        parser.add_argument("--unit", default="", help="所在单位")
        parser.add_argument("--community", action="append", default=[], help="社区编号（可重复）")
        parser.add_argument(
            "--grid", action="append", default=[], help="网格：社区编号/网格名称（可重复）"
        )

    def handle(self, *args: object, **options: object) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(username=options["username"])
        except user_model.DoesNotExist as exc:
            raise CommandError(
                f"没有账号 {options['username']}，请先在后台或 createsuperuser 创建"
            ) from exc
        communities = []
        for code in options["community"]:
            try:
                communities.append(Community.objects.get(code=code))
            except Community.DoesNotExist as exc:
                raise CommandError(f"没有编号为 {code} 的社区") from exc
        grids = []
        for key in options["grid"]:
            code, _sep, name = key.partition("/")
            try:
                grids.append(Grid.objects.get(community__code=code, name=name))
            except Grid.DoesNotExist as exc:
                raise CommandError(f"没有网格 {key}（格式：社区编号/网格名称）") from exc
        problem = scope_problem(options["role"], communities, grids)
        if problem:
            raise CommandError(problem)
        profile = grant_role(
            user,
            actor=None,
            name=options["name"],
            role=Role(options["role"]),
            communities=communities,
            grids=grids,
            title=options["title"],
            unit=options["unit"],
        )
        self.stdout.write(self.style.SUCCESS(f"已设定：{profile}"))
