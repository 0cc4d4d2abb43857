from django.core.management.base import BaseCommand, CommandError

from performance import plan
from performance.models import Indicator


class Command(BaseCommand):
    help = "导入年度工作计划文本（UTF-8）：导语、“一、”部分、“1.”条目、“一是”子项，生成计划项目和指标。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--title", default="")
        parser.add_argument("--replace", action="store_true", help="该年度已有计划时替换之")

    def handle(self, file, year, title, replace, **options):
        try:
            with open(file, "rb") as handle:
                tree = plan.read(handle.read())
            saved = plan.store(tree, year, replace=replace, title=title)
        except OSError as exc:
            raise CommandError(f"无法读取 {file}：{exc.strerror}") from None
        except (plan.PlanError, plan.PlanExists) as exc:
            raise CommandError(f"{file}：{exc}") from None
        items = saved.items.count()
        indicators = Indicator.objects.filter(item__plan=saved).count()
        self.stdout.write(f"已导入 {saved}：{items} 个节点，{indicators} 个指标。")
