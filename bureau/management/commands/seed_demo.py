import random
import time
from importlib import import_module

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from bureau.models import Unit
from bureau.roles import ROLES

# Order matters: each area's demo data builds on the units and staff of the core.
DEMO_APPS = ("bureau", "offices", "vehicles", "energy", "logistics", "party", "performance")


class Context:
    def __init__(self, scale, seed, year, stdout):
        self.scale = scale
        self.rng = random.Random(seed)
        self.year = year
        self.stdout = stdout
        self.units = []
        self.accounts = []


class Command(BaseCommand):
    help = "载入演示数据：--scale small（几个单位，数秒）或 --scale city（300 个单位的全市规模）。"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=("small", "city"), default="small")
        parser.add_argument("--seed", type=int, default=2022)
        parser.add_argument(
            "--year", type=int, default=timezone.localdate().year - 1, help="演示数据的年度（默认上一年）"
        )
        parser.add_argument("--if-empty", action="store_true", help="已有数据时什么也不做")

    def handle(self, scale, seed, year, if_empty, **options):
        from bureau.demo import DEMO_PASSWORD

        if Unit.objects.exists():
            if if_empty:
                self.stdout.write("已有数据，跳过演示数据。")
                self.print_accounts(None, DEMO_PASSWORD)
                return
            raise CommandError("数据库中已有单位数据；演示数据只能载入空库。")
        ctx = Context(scale, seed, year, self.stdout)
        for app in DEMO_APPS:
            try:
                module = import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            started = time.monotonic()
            with transaction.atomic():
                module.seed(ctx)
            self.stdout.write(f"  {app}: {time.monotonic() - started:.1f} s")
        self.print_accounts(ctx.accounts, DEMO_PASSWORD)

    def print_accounts(self, accounts, password):
        from django.contrib.auth import get_user_model

        if accounts is None:
            users = get_user_model().objects.filter(groups__name__in=list(ROLES)).distinct().order_by("pk")
            accounts = [(u.username, next((g.name for g in u.groups.all()), ""), "") for u in users]
        self.stdout.write(self.style.SUCCESS(f"演示账号（密码均为 {password}）："))
        for username, role, unit in accounts:
            label = ROLES[role].label if role in ROLES else role
            self.stdout.write(f"  {username:<12} {label}{'  ' + unit if unit else ''}")
