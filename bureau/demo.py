"""Demo data for the core registries: a believable city's units, their staff, one account per role.
All names and codes are invented; the codes carry correct check characters."""

from django.contrib.auth import get_user_model

from bureau.choices import Rank, UnitKind
from bureau.models import Person, Unit
from bureau.roles import ROLES, assign_role
from bureau.validators import USCC_ALPHABET, id_check_char, uscc_check_char

DEMO_PASSWORD = "Demo-2022!"

ORGANS = [
    ("中共X市委办公厅", "市委办", UnitKind.PARTY),
    ("中共X市委组织部", "市委组织部", UnitKind.PARTY),
    ("中共X市委宣传部", "市委宣传部", UnitKind.PARTY),
    ("X市人民政府办公厅", "市政府办", UnitKind.GOVERNMENT),
    ("X市发展和改革委员会", "市发改委", UnitKind.GOVERNMENT),
    ("X市教育局", "市教育局", UnitKind.GOVERNMENT),
    ("X市科学技术局", "市科技局", UnitKind.GOVERNMENT),
    ("X市公安局", "市公安局", UnitKind.GOVERNMENT),
    ("X市民政局", "市民政局", UnitKind.GOVERNMENT),
    ("X市财政局", "市财政局", UnitKind.GOVERNMENT),
    ("X市人力资源和社会保障局", "市人社局", UnitKind.GOVERNMENT),
    ("X市自然资源和规划局", "市自然资源规划局", UnitKind.GOVERNMENT),
    ("X市生态环境局", "市生态环境局", UnitKind.GOVERNMENT),
    ("X市住房和城乡建设局", "市住建局", UnitKind.GOVERNMENT),
    ("X市交通运输局", "市交通运输局", UnitKind.GOVERNMENT),
    ("X市水务局", "市水务局", UnitKind.GOVERNMENT),
    ("X市卫生健康委员会", "市卫健委", UnitKind.GOVERNMENT),
    ("X市应急管理局", "市应急局", UnitKind.GOVERNMENT),
    ("X市审计局", "市审计局", UnitKind.GOVERNMENT),
    ("X市市场监督管理局", "市市场监管局", UnitKind.GOVERNMENT),
    ("X市统计局", "市统计局", UnitKind.GOVERNMENT),
    ("X市机关事务管理局", "市机关事务局", UnitKind.GOVERNMENT),
    ("X市人大常委会办公厅", "市人大办", UnitKind.CONGRESS),
    ("政协X市委员会办公厅", "市政协办", UnitKind.CPPCC),
    ("X市总工会", "市总工会", UnitKind.MASS),
    ("共青团X市委员会", "团市委", UnitKind.MASS),
    ("X市妇女联合会", "市妇联", UnitKind.MASS),
]
INSTITUTION_KINDS = [
    "信息中心",
    "服务中心",
    "研究院",
    "监测站",
    "档案馆",
    "培训中心",
    "检测所",
    "保障中心",
    "事务中心",
    "发展中心",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕鹏辉建国志强海波晓东文博思远子涵雨桐浩然欣怡宇轩嘉怡梓萱俊杰"  # noqa: E501
RANK_WEIGHTS = [(Rank.CITY_DEPUTY, 1), (Rank.BUREAU_HEAD, 3), (Rank.BUREAU_DEPUTY, 8), (Rank.BELOW_BUREAU, 60)]
ROLE_ACCOUNTS = [
    "admin",
    "leader",
    "offices",
    "vehicles",
    "energy",
    "logistics",
    "party",
    "discipline",
    "performance",
    "member",
]


def make_uscc(rng, category):
    body = category + "420100" + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc_check_char(body)


def make_id_number(rng):
    year = rng.randint(1965, 1998)
    body = f"420102{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + id_check_char(body)


def person_name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def seed(ctx):
    rng = ctx.rng
    n_units = 6 if ctx.scale == "small" else 300
    staff_per_unit = 8 if ctx.scale == "small" else None
    total_staff = 20_000 if ctx.scale == "city" else n_units * staff_per_unit
    units = []
    used = set()
    for i in range(n_units):
        if i < len(ORGANS):
            name, short, kind = ORGANS[i]
            category = "13" if kind == UnitKind.MASS else "11"
        else:
            j = i - len(ORGANS)
            parent_name, parent_short, _kind = ORGANS[j % len(ORGANS)]
            suffix = INSTITUTION_KINDS[(j // len(ORGANS)) % len(INSTITUTION_KINDS)]
            batch = j // (len(ORGANS) * len(INSTITUTION_KINDS))
            name = f"{parent_name}{suffix}" + (f"（{batch + 1}）" if batch else "")
            short, kind, category = f"{parent_short}{suffix}", UnitKind.INSTITUTION, "12"
        code = make_uscc(rng, category)
        while code in used:
            code = make_uscc(rng, category)
        used.add(code)
        units.append(Unit(name=name, short_name=short[:30], uscc=code, kind=kind, is_public_institution=True))
    units = Unit.objects.bulk_create(units)
    ctx.units = units

    ranks = [r for r, _w in RANK_WEIGHTS]
    weights = [w for _r, w in RANK_WEIGHTS]
    persons = []
    for k in range(total_staff):
        unit = units[k % n_units]
        rank = Rank.BUREAU_HEAD if k < n_units else rng.choices(ranks, weights)[0]
        persons.append(Person(name=person_name(rng), unit=unit, rank=rank, id_number=make_id_number(rng)))
    Person.objects.bulk_create(persons, batch_size=2000)

    User = get_user_model()
    accounts = []
    for key in ROLE_ACCOUNTS:
        user = User.objects.create_user(key, password=DEMO_PASSWORD, first_name=f"演示{ROLES[key].label}")
        assign_role(user, key)
        accounts.append((key, key, ""))
    for username, unit in (("liaison", units[0]), ("liaison2", units[1])):
        user = User.objects.create_user(username, password=DEMO_PASSWORD, first_name=f"{unit}联络员")
        assign_role(user, "liaison", unit)
        accounts.append((username, "liaison", unit.name))
    ctx.accounts = accounts
    seed_requests(ctx, User.objects.get(username="offices"))


def seed_requests(ctx, staff):
    """A published staff-list request, partly answered, so the workflow has something to show."""
    import datetime

    from bureau import workflow
    from bureau.models import DataRequest

    request = DataRequest.objects.create(
        kind="bureau.staff",
        title=f"{ctx.year} 年度单位人员名册确认",
        year=ctx.year,
        frequency="annual",
        deadline=datetime.date(ctx.year + 1, 3, 31),
        note="请核对本单位在编人员及职级，有变动的请修改后报送。",
        created_by=staff,
    )
    request.units.set(ctx.units[: min(len(ctx.units), 30)])
    workflow.publish(request, staff)
    for i, sub in enumerate(request.submissions.select_related("unit").order_by("pk")[2:8]):
        workflow.submit(sub, staff)  # area staff may act on a unit's behalf
        if i % 2 == 0:
            workflow.approve(sub, staff)
