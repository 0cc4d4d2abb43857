"""The plan's text into its tree and back, character for character."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from performance import plan
from performance.models import Indicator, Item, Plan

WORKPLAN = Path(settings.BASE_DIR).parent / "shared" / "reference" / "workplan-2022.txt"

# The 2022 plan by hand: (number, first sentence) of each part, its items, and their sub-items.
EXPECTED = [
    ("一", "以政治建设为统领，把党的全面领导贯穿机关事务工作部署“全链条”", [
        ("1", "扎实推进党的政治建设", []),
        ("2", "持续强化机关法治建设", [("四", "组织参加“法宣在线”党内法规知识竞赛活动并争取市直单位前十名，无纸化学法用法参学率、参考率、优秀率Ｘ%")]),  # noqa: E501
        ("3", "深入推动党风廉政建设", []),
    ]),
    ("二", "以职能建设为依托，推动机关事务服务新时代英雄城市建设“全发力”", [
        ("1", "持续加强办公用房集中统一管理", []),
        ("2", "持续推进公务用车高效规范管理使用", []),
        ("3", "持续抓好公共机构节能管理工作", []),
        ("4", "持续抓好后勤服务保障工作", []),
    ]),
    ("三", "以自身建设为内核，实现机关事务工作队伍铸魂聚核强基“全覆盖”", [
        ("1", "推动机关基层党组织全面进步全面过硬", [
            ("一", "扎实推进党支部标准化、规范化建设，着力解决基层党组织存在的问题"),
            ("二", "深化“支部工作法”案例总结运用，深化“红管家”品牌建设，推进活动方式创新"),
            ("三", "举办党支部书记和委员培训班，强化党员教育管理，扎实推进“两学一做”学习教育常态化制度化"),
            ("四", "坚持以党建带群建，加强和改进机关群团工作，加强人文关怀和心理疏导，营造温馨和谐的机关氛围"),
            ("五", "坚持严格的政治标准培养选拔干部，优先把政治素质过硬，敢于担当、善于作为的干部用起来，树立鲜明的选人用人导向"),  # noqa: E501
        ]),
        ("2", "打造高素质能担当的机关事务铁军", []),
        ("3", "营造干事创业浓厚氛围", []),
    ]),
]  # fmt: skip


def first_sentence(node):
    body = node.text
    for prefix in (f"{node.number}、", f"{node.number}.", f"{node.number}是"):
        body = body.removeprefix(prefix)
    return body.split("。")[0].strip()


def shape(tree):
    return [
        (
            p.number,
            first_sentence(p),
            [(i.number, first_sentence(i), [(s.number, first_sentence(s)) for s in i.children]) for i in p.children],
        )
        for p in tree.parts
    ]


@pytest.fixture
def workplan():
    if not WORKPLAN.exists():
        pytest.skip(f"{WORKPLAN} is not here")
    return WORKPLAN.read_bytes()


def test_the_real_plan_reads_into_its_tree_without_losing_a_character(workplan):
    tree = plan.read(workplan)
    assert tree.text() == workplan.decode("utf-8")
    assert shape(tree) == EXPECTED
    assert [n.level for n in tree.nodes()].count("subitem") == 6
    assert tree.preamble.startswith("2022年是“十四五”开局起步关键年") and tree.preamble.endswith("召开。 \n")
    # The item's own text stops where its first sub-item starts.
    item = tree.parts[0].children[1]
    assert item.text.endswith("完成《公务用车租车管理与服务规范》的送审。")
    assert item.children[0].text.startswith("四是") and item.children[0].text.endswith("Ｘ%。 \n")


def test_a_subitem_marker_needs_a_sentence_end_before_it():
    tree = plan.parse("导语\n一、甲\n1.坚持一是一、二是二的原则。一是做甲；二是做乙。\n")
    item = tree.parts[0].children[0]
    assert item.text == "1.坚持一是一、二是二的原则。"
    assert [(s.number, s.text) for s in item.children] == [("一", "一是做甲；"), ("二", "二是做乙。\n")]


@pytest.mark.parametrize(
    ("data", "line", "column", "words"),
    [
        ("导语\n一、甲\n1.乙\n这一行不是条目\n".encode(), 4, 1, "无法识别"),
        ("导语\n一、甲\n  也不是\n".encode(), 3, 3, "无法识别"),
        ("导语\n1.条目在部分之前\n".encode(), 2, 1, "之前"),
        ("只是一段文字\n没有部分\n".encode(), 2, 1, "未找到"),
        ("导语\n一、甲\n1.乙丙\n".encode("gbk"), 1, 1, "UTF-8"),
        ("导语\n一、甲\n1.乙".encode() + "丙".encode("gbk"), 3, 4, "UTF-8"),
    ],
)
def test_bad_input_says_where_reading_stopped(data, line, column, words):
    with pytest.raises(plan.PlanError) as caught:
        plan.read(data)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert words in str(caught.value) and f"第 {line} 行第 {column} 列" in str(caught.value)


def test_chinese_numbers():
    words = ("五千", "十五", "一万二千", "三百零五", "两千")
    assert [plan.chinese_number(w) for w in words] == [5000, 15, 12000, 305, 2000]


def test_targets_become_proposed_indicators():
    found = plan.propose(
        "盘活不低于五千平方米闲置房产。执法用车保障率Ｘ%。碳排放同比下降Ｘ%，坚持“两个维护”，做到零差错。"
    )
    assert [(p.comparison, p.target, p.unit_of_measure, p.source_text) for p in found] == [
        ("ge", Decimal(5000), "m²", "不低于五千平方米"),
        ("ge", None, "%", "Ｘ%"),
        ("decrease", None, "%", "下降Ｘ%"),
        ("eq", Decimal(0), "处", "零差错"),
    ]
    assert found[0].metric == "offices.idle_revitalised_area" and found[1].metric == "vehicles.support_rate"


@pytest.mark.django_db
def test_import_plan_command_saves_the_tree_and_refuses_a_second_import(workplan, tmp_path):
    call_command("import_plan", str(WORKPLAN), "--year", "2022")
    saved = Plan.objects.get(year=2022)
    assert saved.text() == workplan.decode("utf-8")
    assert Item.objects.filter(plan=saved).count() == 3 + 10 + 6
    sub = Item.objects.get(plan=saved, code="三.1（五）")
    assert sub.parent.code == "三.1" and sub.parent.parent.code == "三" and sub.level == "subitem"
    area = Indicator.objects.get(item__plan=saved, source_text="不低于五千平方米")
    assert (area.comparison, area.target, area.metric) == ("ge", Decimal(5000), "offices.idle_revitalised_area")
    nev = Indicator.objects.get(item__plan=saved, label__contains="新能源车")
    assert nev.target is None and nev.metric == "vehicles.nev_share"
    with pytest.raises(CommandError, match="已导入"):
        call_command("import_plan", str(WORKPLAN), "--year", "2022")
    other = tmp_path / "plan.txt"
    other.write_text("新导语\n一、唯一部分\n1.唯一条目。\n", encoding="utf-8")
    call_command("import_plan", str(other), "--year", "2022", "--replace")
    assert Plan.objects.get(year=2022).text() == other.read_text(encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text("导语\n一、甲\n乱码行\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 3 行第 1 列"):
        call_command("import_plan", str(bad), "--year", "2023")
    assert not Plan.objects.filter(year=2023).exists()
