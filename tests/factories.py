import datetime
import io
import itertools

import factory
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from bureau.choices import Rank, UnitKind
from bureau.models import Person, Unit
from bureau.validators import id_check_char, uscc_check_char

_serial = itertools.count(1)


def uscc(n=None):
    body = f"11420100{(n or next(_serial)):09d}"
    return body + uscc_check_char(body)


def xlsx(rows, name="upload.xlsx"):
    """An uploaded workbook whose first sheet holds `rows` (the header first)."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    handle = io.BytesIO()
    workbook.save(handle)
    return SimpleUploadedFile(name, handle.getvalue())


def id_number(n=None):
    body = f"42010219800101{(n or next(_serial)) % 1000:03d}"
    return body + id_check_char(body)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n}")
    short_name = factory.Sequence(lambda n: f"单位{n}")
    uscc = factory.LazyFunction(uscc)
    kind = UnitKind.GOVERNMENT


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"人员{n}")
    unit = factory.SubFactory(UnitFactory)
    rank = Rank.BELOW_BUREAU
    id_number = factory.LazyFunction(id_number)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")


class DataRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "bureau.DataRequest"

    kind = "bureau.staff"
    title = factory.Sequence(lambda n: f"2022 年人员名册确认 {n}")
    year = 2022
    frequency = "annual"
    deadline = datetime.date(2023, 3, 31)


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "bureau.Submission"

    request = factory.SubFactory(DataRequestFactory)
    unit = factory.SubFactory(UnitFactory)
    period = "2022"
    deadline = datetime.date(2023, 3, 31)
