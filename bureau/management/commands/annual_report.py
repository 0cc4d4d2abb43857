import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bureau import reports
from bureau.models import Unit


class Command(BaseCommand):
    help = "生成年度统计报表工作簿（封面、目录和所有已登记的统计表）。"

    def add_arguments(self, parser):
        # Last year by default: the year the demo fills, and the one a January workbook is for.
        parser.add_argument("--year", type=int, default=timezone.localdate().year - 1)
        parser.add_argument("--out", required=True, help="输出的 .xlsx 文件路径")

    def handle(self, year, out, **options):
        if not out.endswith(".xlsx"):
            raise CommandError("输出文件须以 .xlsx 结尾。")
        folder = Path(out).resolve().parent
        if not folder.is_dir():
            raise CommandError(f"目录不存在：{folder}")
        if not os.access(folder, os.W_OK):
            raise CommandError(f"目录不可写：{folder}")

        def progress(done, total):
            self.stdout.write(f"  {done}/{total}")

        try:
            names = reports.build_workbook(out, year, Unit.objects.all(), by="命令行", progress=progress)
        except OSError as exc:
            raise CommandError(f"无法写入 {out}：{exc.strerror or exc}") from None
        self.stdout.write(self.style.SUCCESS(f"已生成 {out}：{len(names)} 张统计表"))
