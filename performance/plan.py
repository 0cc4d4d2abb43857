"""The annual work plan's text as a tree: the preamble, parts `一、`, items `1.` and sub-items
`一是 … 二是 …` (which run on inside an item's line, and may start at any number).

Every node keeps the exact slice of the file it came from, line ends and blank lines included, so
the preamble followed by the nodes' texts in order is the file again, character for character.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

NUMERALS = "一二三四五六七八九十"
BLANK = " \t\u3000\r"
PART = re.compile(rf"[{BLANK}]*([{NUMERALS}]+)、")
ITEM = re.compile(rf"[{BLANK}]*(\d+)[.．]")
# A sub-item marker starts the item's body or follows the end of a sentence.
SUBITEM = re.compile(rf"(?:^|(?<=[。；;！？]))[{BLANK}]*([{NUMERALS}]{{1,2}})是")


class PlanError(ValueError):
    """Where reading stopped (1-based line and column) and why."""

    def __init__(self, line, column, message):
        self.line, self.column, self.message = line, column, message
        super().__init__(_("第 %(line)d 行第 %(column)d 列：%(message)s") % locals())


@dataclass
class Node:
    level: str  # "part", "item" or "subitem"
    number: str
    text: str
    line: int
    children: list = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Tree:
    preamble: str
    parts: list

    def nodes(self):
        for part in self.parts:
            yield from part.walk()

    def text(self):
        return self.preamble + "".join(n.text for n in self.nodes())


def decode(data):
    """UTF-8 text (a byte-order mark is kept as a character); anything else is refused with the
    place of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        raise PlanError(line, column, _("不是 UTF-8 编码的文本，请将文件另存为 UTF-8 后重新导入。")) from None


def lines_of(text):
    """The lines with their ends kept."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def split_subitems(body, line):
    """An item's line cut at its sub-item markers: (the item's own text, [sub-item nodes])."""
    cuts = [(m.start(), m.group(1)) for m in SUBITEM.finditer(body)]
    # The item's heading ("1.") itself is never a marker: markers start after it.
    head = ITEM.match(body).end()
    cuts = [(pos, n) for pos, n in cuts if pos >= head]
    if not cuts:
        return body, []
    own = body[: cuts[0][0]]
    ends = [pos for pos, _n in cuts[1:]] + [len(body)]
    subitems = [Node("subitem", n, body[pos:end], line) for (pos, n), end in zip(cuts, ends, strict=True)]
    return own, subitems


def parse(text):
    preamble = []
    parts = []
    current_item = None
    for number, raw in enumerate(lines_of(text), start=1):
        if not raw.strip(BLANK + "\n"):
            # A blank line belongs to whatever it follows.
            if not parts:
                preamble.append(raw)
            else:
                last = current_item or parts[-1]
                (last.children[-1] if last.children else last).text += raw
            continue
        part = PART.match(raw)
        item = ITEM.match(raw)
        if part:
            parts.append(Node("part", part.group(1), raw, number))
            current_item = None
        elif item:
            if not parts:
                raise PlanError(number, 1, _("条目“%(n)s.”出现在第一个部分（一、）之前。") % {"n": item.group(1)})
            own, subitems = split_subitems(raw, number)
            current_item = Node("item", item.group(1), own, number, subitems)
            parts[-1].children.append(current_item)
        elif not parts:
            preamble.append(raw)
        else:
            column = len(raw) - len(raw.lstrip(BLANK)) + 1
            raise PlanError(
                number,
                column,
                _("无法识别的行：“%(start)s…”。每行应以“一、”式的部分标题或“1.”式的条目开头。")
                % {"start": raw.strip()[:12]},
            )
    if not parts:
        line = len(lines_of(text)) or 1
        raise PlanError(line, 1, _("未找到任何部分标题（如“一、……”），不是工作计划的格式。"))
    return Tree("".join(preamble), parts)


def read(data):
    return parse(decode(data))


# Quantitative targets ------------------------------------------------------------------------------

PLACEHOLDER = "Ｘ"
CLAUSE = re.compile(r"[^，。；！？\n]+")
QUANTITY = re.compile(
    r"(?P<cmp>不低于|不少于|不超过|不高于|不多于|下降|降低|减少|增长|提高|达到|达)?"
    rf"(?P<num>{PLACEHOLDER}|\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万]+)"
    r"(?P<uom>%|％|平方米|万元|家|台|项|个|辆|名|人|次)(?P<tail>以上|以下)?"
)
ZERO_ERRORS = "零差错"
UOM = {"％": "%", "平方米": "m²"}
LESS = {"不超过", "不高于", "不多于"}
DOWN = {"下降", "降低", "减少"}
# The plan's words that name a figure some area already computes: (words, unit of measure, metric).
HINTS = (
    ("新能源车", "%", "vehicles.nev_share"),
    ("闲置房产", "m²", "offices.idle_revitalised_area"),
    ("碳排放", "%", "energy.co2_t"),
    ("执法用车保障率", "%", "vehicles.support_rate"),
    ("按时报送率", "%", "bureau.on_time_rate"),
    ("参学率", "%", "party.quiz_study_rate"),
    ("重大活动车辆", "%", "logistics.event_vehicle_support_rate"),
    ("满意率", "%", "logistics.satisfaction_rate"),
    ("管理台账", "%", "logistics.ledger_completeness"),
    ("产值", "万元", "logistics.print_output_value"),
    ("纯利润", "%", "logistics.print_profit_growth"),
    (ZERO_ERRORS, "处", "logistics.print_error_count"),
)
DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
SCALES = {"十": 10, "百": 100, "千": 1000}


def chinese_number(words):
    """五千 → 5000, 一万二千 → 12000, 十五 → 15; None for what is no number."""
    total, section, digit = 0, 0, None
    for ch in words:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in SCALES:
            section += (1 if digit is None else digit) * SCALES[ch]
            digit = None
        elif ch == "万":
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


@dataclass
class Proposal:
    label: str
    comparison: str
    target: object  # Decimal, or None where the plan leaves a placeholder for staff to fill
    unit_of_measure: str
    source_text: str
    metric: str = ""


def propose(text):
    """The indicators a node's text calls for: each quantity with its comparison, the number
    parsed (Chinese numerals too) or left empty for a placeholder, and a metric it names."""
    from decimal import Decimal

    found = []
    for clause in CLAUSE.finditer(text):
        words = clause.group().strip(BLANK)
        if ZERO_ERRORS in words:
            found.append(Proposal(words, "eq", Decimal(0), "处", ZERO_ERRORS, _hint(words, "处")))
        for m in QUANTITY.finditer(words):
            num, cmp = m.group("num"), m.group("cmp") or ""
            if num == PLACEHOLDER:
                target = None
            elif num[0].isdigit():
                target = Decimal(num)
            elif cmp:  # Chinese numerals count only after a comparison ("不低于五千"), not in "两个维护"
                target = Decimal(chinese_number(num))
            else:
                continue
            uom = UOM.get(m.group("uom"), m.group("uom"))
            if cmp in DOWN:
                comparison = "decrease"
            elif cmp in LESS or m.group("tail") == "以下":
                comparison = "le"
            else:
                comparison = "ge"
            found.append(Proposal(words, comparison, target, uom, m.group(), _hint(words, uom)))
    return found


def _hint(words, uom):
    return next((key for hint, unit, key in HINTS if hint in words and unit == uom), "")


# Storing -------------------------------------------------------------------------------------------


class PlanExists(Exception):
    pass


def store(tree, year, *, replace=False, title=""):
    """Save the tree as the year's plan with the indicators it proposes, all or nothing. A year
    that has a plan already is refused unless `replace` (confirmed by the user)."""
    from django.db import transaction
    from django.db.models import ProtectedError

    from bureau.metrics import REGISTRY
    from performance.models import Indicator, Item, Plan

    with transaction.atomic():
        old = Plan.objects.filter(year=year).first()
        if old is not None:
            if not replace:
                raise PlanExists(_("%(year)s 年度的计划已导入；确认替换后才会覆盖。") % {"year": year})
            try:
                old.items.all().delete()
                old.delete()
            except ProtectedError:
                message = _("%(year)s 年度的计划已有进度报告或考核记录，不能整体替换。")
                raise PlanExists(message % {"year": year}) from None
        plan = Plan.objects.create(year=year, title=title or f"{year}年工作计划", preamble=tree.preamble)
        order = 0
        indicators = []

        def add(node, parent):
            nonlocal order
            order += 1
            item = Item.objects.create(
                plan=plan, parent=parent, level=node.level, number=node.number, text=node.text, order=order
            )
            for p in propose(node.text):
                indicators.append(
                    Indicator(
                        item=item,
                        label=p.label[:200],
                        comparison=p.comparison,
                        target=p.target,
                        unit_of_measure=p.unit_of_measure,
                        # A metric of an app not installed here stays unbound: only registered keys.
                        metric=p.metric if p.metric in REGISTRY else "",
                        source_text=p.source_text[:60],
                    )
                )
            for child in node.children:
                add(child, item)

        for part in tree.parts:
            add(part, None)
        Indicator.objects.bulk_create(indicators)
    return plan
