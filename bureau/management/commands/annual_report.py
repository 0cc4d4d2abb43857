from django.core.management.base import BaseCommand, CommandError

from bureau import reports
from bureau.models import Unit


class Command(BaseCommand):
    help = "生成年度统计报表工作簿（封面、目录和所有已登记的统计表）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", required=True, help="输出的 .xlsx 文件路径")

    def handle(self, year, out, **options):
        if not out.endswith(".xlsx"):
            raise CommandError("输出文件须以 .xlsx 结尾。")

        def progress(done, total):
            self.stdout.write(f"  {done}/{total}")

        names = reports.build_workbook(out, year, Unit.objects.all(), by="命令行", progress=progress)
        self.stdout.write(self.style.SUCCESS(f"已生成 {out}：{len(names)} 张统计表"))
