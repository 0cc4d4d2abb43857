import datetime
import itertools

import factory

from party.choices import ClueSource, EntryKind, Frequency
from party.models import (
    Archive,
    ArchiveEntry,
    Branch,
    CaseStudy,
    Clue,
    InspectionRound,
    Meeting,
    MeetingKind,
    Policy,
    QuizCampaign,
    Rectification,
    Training,
)
from tests.factories import PersonFactory, UnitFactory

_numbers = itertools.count(1)


class ClueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clue

    number = factory.LazyFunction(lambda: f"XS-2022-{next(_numbers):04d}")
    received_on = datetime.date(2022, 3, 1)
    source = ClueSource.LETTER
    unit = factory.SubFactory(UnitFactory)
    subject = "张某某"
    summary = "反映其违规收受礼金。"


class ArchiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Archive

    person = factory.SubFactory(PersonFactory)
    opened_on = datetime.date(2022, 1, 5)


class ArchiveEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArchiveEntry

    archive = factory.SubFactory(ArchiveFactory)
    kind = EntryKind.TALK
    date = datetime.date(2022, 4, 1)
    summary = "提醒谈话：注意节日期间廉洁自律。"


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch
        skip_postgeneration_save = True

    unit = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"第{n}党支部")

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.set(extracted)


class MeetingKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingKind

    name = factory.Sequence(lambda n: f"会议类型{n}")
    frequency = Frequency.QUARTERLY


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    branch = factory.SubFactory(BranchFactory)
    kind = factory.SubFactory(MeetingKindFactory)
    held_on = datetime.date(2022, 3, 10)
    topics = "学习党的二十大精神"


class InspectionRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InspectionRound

    name = factory.Sequence(lambda n: f"2022年第{n}轮巡察")
    inspector = "市委第三巡察组"
    started_on = datetime.date(2022, 3, 1)


class RectificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rectification

    round = factory.SubFactory(InspectionRoundFactory)
    number = factory.Sequence(lambda n: f"{n + 1:03d}")
    problem = "公务接待管理不规范"
    unit = factory.SubFactory(UnitFactory)
    division = "办公室"
    measures = "修订公务接待管理办法"
    deadline = datetime.date(2022, 9, 30)


class QuizCampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuizCampaign

    year = 2022
    title = factory.Sequence(lambda n: f"年度学法考试{n}")


class CaseStudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseStudy

    month = factory.Sequence(lambda n: datetime.date(2000 + n // 12, n % 12 + 1, 1))
    title = "某局干部违规收受礼品案"
    summary = "违反中央八项规定精神，收受管理服务对象所送礼品。"


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Policy

    number = factory.Sequence(lambda n: f"X机事发〔2022〕{n + 1}号")
    title = factory.Sequence(lambda n: f"制度{n}")
    issuer = "X市机关事务管理局"
    issued_on = datetime.date(2022, 3, 1)
    category = "综合"
    text = "第一条　为规范管理，制定本办法。"


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Training

    kind = "center_group"
    title = "中心组专题学习"
    start = datetime.date(2022, 4, 12)
    hours = 3
