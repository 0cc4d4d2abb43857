from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from bureau.models import Unit
from bureau.roles import ROLES, RoleError, assign_role


class Command(BaseCommand):
    help = "给已有用户分配角色；单位联络员须用 --unit 指定单位的统一社会信用代码。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", help="、".join(f"{k}（{r.label}）" for k, r in ROLES.items()))
        parser.add_argument("--unit", help="联络员所服务单位的统一社会信用代码")

    def handle(self, username, role, unit=None, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"用户“{username}”不存在，请先创建用户。") from None
        target = None
        if unit is not None:
            try:
                target = Unit.objects.get(uscc=unit.strip().upper())
            except Unit.DoesNotExist:
                raise CommandError(f"统一社会信用代码为“{unit}”的单位不存在。") from None
        try:
            assign_role(user, role, target)
        except RoleError as exc:
            raise CommandError(str(exc)) from None
        where = f"（{target.name}）" if target else ""
        self.stdout.write(self.style.SUCCESS(f"已为 {username} 分配角色 {ROLES[role].label}{where}"))
