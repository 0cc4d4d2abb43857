import itertools

import factory
from django.contrib.auth import get_user_model

from bureau.choices import Rank, UnitKind
from bureau.models import Person, Unit
from bureau.validators import id_check_char, uscc_check_char

_serial = itertools.count(1)


def uscc(n=None):
    body = f"11420100{(n or next(_serial)):09d}"
    return body + uscc_check_char(body)


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
