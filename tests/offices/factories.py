import datetime
import itertools
from decimal import Decimal

import factory

from bureau.choices import Rank
from offices.choices import RepairKind, RoomCategory, RoomKind, TitleState
from offices.models import (
    Allocation,
    Building,
    Flat,
    Floor,
    Lease,
    Reconciliation,
    RepairProject,
    Revitalisation,
    Room,
    Site,
    Standard,
)
from tests.factories import PersonFactory, UnitFactory

_serial = itertools.count(1)


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"院落{n}")
    address = "X市江岸区沿江大道 1 号"


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    code = factory.Sequence(lambda n: f"FC{n:05d}")
    name = factory.Sequence(lambda n: f"办公楼{n}")
    address = "X市江岸区沿江大道 1 号"
    floor_area = Decimal("5000")
    unit = factory.SubFactory(UnitFactory)
    title_state = TitleState.PENDING


class FloorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Floor

    building = factory.SubFactory(BuildingFactory)
    level = factory.Sequence(lambda n: n % 150 + 1)


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room
        skip_postgeneration_save = True

    building = factory.SubFactory(BuildingFactory, unit=factory.SelfAttribute("..unit"))
    floor = factory.SubFactory(FloorFactory, building=factory.SelfAttribute("..building"))
    number = factory.Sequence(lambda n: f"{n:04d}")
    category = RoomCategory.OFFICE
    kind = RoomKind.OFFICE
    usable_area = Decimal("18")
    unit = factory.SubFactory(UnitFactory)

    @factory.post_generation
    def occupants(self, create, extracted, **kwargs):
        if create and extracted:
            self.occupants.set(extracted)


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation

    kind = "allocate"
    unit = factory.SubFactory(UnitFactory)
    total_area = Decimal("100")
    document_no = factory.Sequence(lambda n: f"X机管〔2022〕{n}号")
    approved_on = datetime.date(2022, 3, 1)
    effective_on = datetime.date(2022, 3, 15)


class RepairProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RepairProject

    unit = factory.SubFactory(UnitFactory)
    building = factory.SubFactory(BuildingFactory, unit=factory.SelfAttribute("..unit"))
    year = 2022
    kind = RepairKind.MEDIUM
    title = factory.Sequence(lambda n: f"屋面防水维修{n}")
    scope = "屋面防水层更换"
    requested_amount = Decimal("1000000")


class RevitalisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Revitalisation

    building = factory.SubFactory(BuildingFactory)
    operator = "X市城市更新集团"
    contract_no = factory.Sequence(lambda n: f"HT2022-{n:03d}")
    revitalised_area = Decimal("1200")
    start = datetime.date(2022, 5, 1)
    end = datetime.date(2027, 4, 30)
    annual_revenue = Decimal("360000")


class FlatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flat

    code = factory.Sequence(lambda n: f"ZZ{n:04d}")
    address = "X市汉阳区周转公寓 3 栋"
    floor_area = Decimal("60")
    monthly_rent = Decimal("800")


class LeaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lease

    flat = factory.SubFactory(FlatFactory)
    person = factory.SubFactory(PersonFactory, unit=factory.SelfAttribute("..unit"))
    unit = factory.SubFactory(UnitFactory)
    joined_on = datetime.date(2021, 9, 1)
    start = datetime.date(2022, 1, 1)
    end = datetime.date(2024, 12, 31)
    monthly_rent = Decimal("800")


class ReconciliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reconciliation

    unit = factory.SubFactory(UnitFactory)
    period = factory.Sequence(lambda n: str(2000 + n % 90))


def standard_2014():
    return Standard.objects.get(document="发改投资〔2014〕2674号")


def person(unit, rank=Rank.BELOW_BUREAU, **kwargs):
    return PersonFactory(unit=unit, rank=rank, **kwargs)
