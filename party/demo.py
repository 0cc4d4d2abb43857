"""Demo data for 党建与廉政: a branch per unit with its members, a year of organisational life
(most periods held, some missed), an inspection round with rectification items in every state,
a law-quiz campaign with every unit's results, the monthly cases, a policy library, trainings, and
a few confidential records held by the demo 纪检 account (the demo 干部 can read their own
archive). City scale: 300 branches, 20,000 quiz results, 3,600 case sessions."""

import calendar
import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model

from bureau.models import Person, Unit
from party.choices import (
    ClueSource,
    ClueState,
    Disposal,
    EntryKind,
    Form,
    PolicyState,
    RectificationState,
    StandardState,
    TrainingKind,
)
from party.models import (
    Archive,
    ArchiveEntry,
    Attendance,
    Branch,
    CaseSession,
    CaseStudy,
    Clue,
    InspectionRound,
    Meeting,
    MeetingKind,
    Policy,
    QuizCampaign,
    QuizResult,
    Rectification,
    Training,
    grant,
)
from party.organisation import periods

BATCH = 2000
MEMBERS_PER_BRANCH = 30
TOPICS = (
    "学习贯彻党的二十大精神",
    "学习《中国共产党纪律处分条例》",
    "开展“过紧日子”专题研讨",
    "学习习近平总书记关于机关事务工作的重要论述",
    "节约型机关创建动员",
    "重温入党誓词",
)
CASES = (
    "某局处长违规收受购物卡案",
    "某单位违规发放津贴补贴案",
    "某中心主任公车私用案",
    "某干部违规操办婚丧喜庆事宜案",
    "某单位超标准公务接待案",
    "某干部利用职务便利为亲属谋利案",
)
POLICIES = [
    ("党建", "X机事党〔2022〕1号", "中共X市机关事务管理局党组工作规则"),
    ("党建", "X机事党〔2022〕3号", "机关党支部标准化规范化建设实施办法"),
    ("纪检", "X机事党〔2022〕5号", "党风廉政建设责任制实施细则"),
    ("财务", "X机事发〔2022〕8号", "机关会议费管理办法"),
    ("财务", "X机事发〔2022〕9号", "机关差旅费管理办法"),
    ("资产", "X机事发〔2022〕12号", "办公用房管理实施细则"),
    ("资产", "X机事发〔2022〕13号", "公务用车使用管理办法"),
    ("综合", "X机事发〔2022〕15号", "公务接待管理办法"),
    ("综合", "X机事发〔2022〕16号", "机关工作人员考勤管理规定"),
]


def day_in(rng, start, end):
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def seed(ctx):
    year = ctx.year
    User = get_user_model()
    staff = {u.username: u for u in User.objects.filter(username__in=("party", "discipline", "member"))}
    units = list(ctx.units)
    branches = seed_branches(ctx, units)
    seed_meetings(ctx, branches)
    seed_rectification(ctx, units, staff.get("party"))
    seed_quiz(ctx)
    seed_cases(ctx, branches)
    seed_policies(year)
    seed_trainings(ctx, branches)
    seed_confidential(ctx, units, staff)
    ctx.stdout.write(
        f"    {len(branches)} 个党支部，{Meeting.objects.count()} 次组织生活，{QuizResult.objects.count()} 条学法成绩"
    )


def seed_branches(ctx, units):
    rng = ctx.rng
    by_unit = {}
    for person_id, unit_id in Person.objects.filter(unit__in=units).order_by("pk").values_list("pk", "unit_id"):
        by_unit.setdefault(unit_id, []).append(person_id)
    states = [StandardState.MET] * 5 + [StandardState.BUILDING] * 3 + [StandardState.MODEL, StandardState.NOT_STARTED]
    short = [u.short_name for u in units]
    # Short names repeat at city scale (a second batch of 信息中心s): those branches take the full name.
    names = [
        f"{u.short_name}党支部" if u.short_name and short.count(u.short_name) == 1 else f"{u.name}党支部" for u in units
    ]
    branches = Branch.objects.bulk_create(
        [
            Branch(
                unit=unit,
                name=name,
                secretary_id=by_unit[unit.pk][0] if unit.pk in by_unit else None,
                standard_state=rng.choice(states),
                checklist="组织设置规范\n组织生活规范\n党员管理规范\n阵地建设规范",
            )
            for unit, name in zip(units, names, strict=True)
        ],
        batch_size=BATCH,
    )
    members, committee = [], []
    for branch in branches:
        people = by_unit.get(branch.unit_id, [])[:MEMBERS_PER_BRANCH]
        members += [Branch.members.through(branch_id=branch.pk, person_id=p) for p in people]
        committee += [Branch.committee.through(branch_id=branch.pk, person_id=p) for p in people[:3]]
    Branch.members.through.objects.bulk_create(members, batch_size=BATCH)
    Branch.committee.through.objects.bulk_create(committee, batch_size=BATCH)
    return branches


def seed_meetings(ctx, branches):
    """Each required period held nine times in ten; the first few branches with their sign-ins."""
    rng = ctx.rng
    kinds = list(MeetingKind.objects.all())
    meetings = []
    for branch in branches:
        for kind in kinds:
            for start, end in periods(kind.frequency, ctx.year):
                if rng.random() < 0.9:
                    meetings.append(
                        Meeting(
                            branch=branch,
                            kind=kind,
                            held_on=day_in(rng, start, end),
                            topics=rng.choice(TOPICS),
                            notice="请全体党员准时参加。",
                            minutes="会议传达学习了有关精神，党员结合工作实际作了交流发言。",
                        )
                    )
    meetings = Meeting.objects.bulk_create(meetings, batch_size=BATCH)
    signed = {b.pk for b in branches[:3]}
    members = {}
    for branch_id, person_id in Branch.members.through.objects.filter(branch__in=signed).values_list(
        "branch_id", "person_id"
    ):
        members.setdefault(branch_id, []).append(person_id)
    attendance = []
    for meeting in meetings:
        for person_id in members.get(meeting.branch_id, []) if meeting.branch_id in signed else []:
            present = rng.random() < 0.92
            attendance.append(
                Attendance(
                    meeting=meeting,
                    person_id=person_id,
                    present=present,
                    reason="" if present else rng.choice(("出差", "病假", "公务外出")),
                )
            )
    Attendance.objects.bulk_create(attendance, batch_size=BATCH)


def seed_rectification(ctx, units, reviewer):
    rng = ctx.rng
    year = ctx.year
    round_ = InspectionRound.objects.create(
        name=f"{year}年市委第一轮巡察",
        inspector="市委第三巡察组",
        started_on=datetime.date(year, 3, 1),
        feedback_on=datetime.date(year, 5, 10),
    )
    problems = (
        "公务接待审批不严格",
        "会议费报销凭证不全",
        "办公用房调整未及时备案",
        "党支部“三会一课”记录不完整",
        "固定资产账实不符",
        "公务用车使用登记不规范",
        "中心组学习研讨不够深入",
        "合同管理制度执行不到位",
    )
    states = list(RectificationState)
    items = []
    for n in range(20 if ctx.scale == "small" else 60):
        state = states[n % len(states)]
        deadline = datetime.date(year, rng.randint(6, 12), rng.randint(1, 28))
        closed = state == RectificationState.CLOSED
        extended = state == RectificationState.EXTENDED
        items.append(
            Rectification(
                round=round_,
                number=f"{n + 1:03d}",
                problem=problems[n % len(problems)],
                unit=units[n % len(units)],
                division=rng.choice(("办公室", "计划财务处", "资产管理处", "机关党委")),
                measures="完善制度，逐项整改，举一反三开展自查。",
                deadline=deadline,
                state=state,
                progress="已制定整改方案，正在推进。" if state != RectificationState.OPEN else "",
                evidence="整改报告及修订后的制度文件" if closed or state == RectificationState.SUBMITTED else "",
                reviewer=reviewer if closed else None,
                signed_off_on=deadline - datetime.timedelta(days=5) if closed else None,
                extension_reason="涉及跨部门协调，需延期办理" if extended else "",
                extended_to=datetime.date(year + 1, 3, 31) if extended else None,
                mechanism="建立定期检查制度" if closed else "",
            )
        )
    Rectification.objects.bulk_create(items, batch_size=BATCH)


def seed_quiz(ctx):
    rng = ctx.rng
    campaign = QuizCampaign.objects.create(
        year=ctx.year,
        title=f"{ctx.year}年度法宣在线学法考试",
        rank=12,
        ranked_units=86,
        own_unit=Unit.objects.filter(name="X市机关事务管理局").first(),
    )
    results = []
    for person_id in Person.objects.filter(unit__in=ctx.units).values_list("pk", flat=True).iterator():
        studied = rng.random() < 0.97
        examined = studied and rng.random() < 0.95
        score = Decimal(rng.choice((100, 98, 96, 95, 92, 90, 88, 85, 80, 76, 70, 62))) if examined else None
        results.append(
            QuizResult(campaign=campaign, person_id=person_id, studied=studied, examined=examined, score=score)
        )
    QuizResult.objects.bulk_create(results, batch_size=BATCH)


def seed_cases(ctx, branches):
    rng = ctx.rng
    cases = CaseStudy.objects.bulk_create(
        [
            CaseStudy(
                month=datetime.date(ctx.year, month, 1),
                title=CASES[(month - 1) % len(CASES)],
                summary="通报案情，剖析原因，警示党员干部守住底线。",
                source="中央纪委国家监委网站",
            )
            for month in range(1, 13)
        ]
    )
    members = {}
    for branch_id, person_id in Branch.members.through.objects.filter(branch__in=branches).values_list(
        "branch_id", "person_id"
    ):
        members.setdefault(branch_id, []).append(person_id)
    sessions = []
    for case in cases:
        last = calendar.monthrange(ctx.year, case.month.month)[1]
        for branch in branches:
            if rng.random() < 0.95:
                sessions.append(
                    CaseSession(case=case, branch=branch, held_on=case.month.replace(day=rng.randint(10, last)))
                )
    sessions = CaseSession.objects.bulk_create(sessions, batch_size=BATCH)
    links = [
        CaseSession.attendees.through(casesession_id=s.pk, person_id=p)
        for s in sessions
        for p in members.get(s.branch_id, [])
        if rng.random() < 0.9
    ]
    CaseSession.attendees.through.objects.bulk_create(links, batch_size=BATCH)


def seed_policies(year):
    policies = Policy.objects.bulk_create(
        [
            Policy(
                number=number.replace("2022", str(year)),
                title=title,
                issuer="X市机关事务管理局" if category not in ("党建", "纪检") else "中共X市机关事务管理局党组",
                issued_on=datetime.date(year, 1 + i, 10),
                category=category,
                text=f"第一条　为加强和规范{title[:-2]}工作，制定本办法。\n第二条　本办法适用于局机关及直属单位。",
            )
            for i, (category, number, title) in enumerate(POLICIES)
        ]
    )
    old = Policy.objects.create(
        number=f"X机事发〔{year - 3}〕20号",
        title="公务接待管理暂行办法",
        issuer="X市机关事务管理局",
        issued_on=datetime.date(year - 3, 4, 1),
        category="综合",
        state=PolicyState.REVISED,
        revised_by=next(p for p in policies if p.title == "公务接待管理办法"),
        text="第一条　（已修订）",
    )
    Policy.objects.create(
        number=f"X机事发〔{year - 5}〕7号",
        title="机关文印管理办法",
        issuer="X市机关事务管理局",
        issued_on=datetime.date(year - 5, 6, 1),
        category="综合",
        state=PolicyState.REPEALED,
        text="（已废止）",
    )
    return [*policies, old]


def seed_trainings(ctx, branches):
    secretaries = [b.secretary_id for b in branches if b.secretary_id]
    everyone = list(Branch.members.through.objects.filter(branch__in=branches[:5]).values_list("person_id", flat=True))
    plan = [
        (TrainingKind.CENTER_GROUP, "中心组专题学习：党的二十大精神", 3, 4, everyone[:20]),
        (TrainingKind.CENTER_GROUP, "中心组专题学习：法治政府建设", 3, 7, everyone[:20]),
        (TrainingKind.SECRETARIES, "党支部书记培训班", 16, 5, secretaries),
        (TrainingKind.COMMITTEE, "支委委员业务培训", 8, 9, everyone[:40]),
    ]
    for kind, title, hours, month, people in plan:
        training = Training.objects.create(
            kind=kind, title=title, start=datetime.date(ctx.year, month, 15), hours=hours, organiser="机关党委"
        )
        training.attendees.set(people)


def seed_confidential(ctx, units, staff):
    """Two clues and the demo 干部's archive, held by the demo 纪检 account."""
    officer, member = staff.get("discipline"), staff.get("member")
    if officer is None:
        return
    clues = [
        Clue.objects.create(
            number=f"XS-{ctx.year}-001",
            received_on=datetime.date(ctx.year, 3, 8),
            source=ClueSource.LETTER,
            unit=units[0],
            subject="（演示）某科长",
            summary="反映其在工程验收中接受宴请。",
            handler=officer,
            state=ClueState.CONCLUDED,
            disposal=Disposal.TALK,
            form=Form.FIRST,
            outcome="经谈话函询，本人如实说明，予以提醒谈话。",
        ),
        Clue.objects.create(
            number=f"XS-{ctx.year}-002",
            received_on=datetime.date(ctx.year, 9, 20),
            source=ClueSource.INSPECTION,
            unit=units[1 % len(units)],
            subject="（演示）某主任",
            summary="巡察移交：反映其违规报销差旅费。",
            handler=officer,
            state=ClueState.HANDLING,
            disposal=Disposal.VERIFY,
        ),
    ]
    for clue in clues:
        grant(clue, officer)
    if member is None:
        return
    cadre = Person.objects.filter(unit=units[0], user__isnull=True).order_by("pk").first()
    cadre.user = member
    cadre.save()
    archive = Archive.objects.create(person=cadre, opened_on=datetime.date(ctx.year, 1, 4))
    ArchiveEntry.objects.create(
        archive=archive, kind=EntryKind.PERSONAL, date=datetime.date(ctx.year, 1, 20), summary="按时报告个人有关事项。"
    )
    ArchiveEntry.objects.create(
        archive=archive,
        kind=EntryKind.GIFT,
        date=datetime.date(ctx.year, 9, 12),
        summary="中秋节上交服务对象所送月饼一盒。",
        amount=Decimal("268.00"),
    )
    grant(archive, officer)
