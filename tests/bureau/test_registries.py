from bureau.choices import Rank, UnitKind
from bureau.models import DataRequest, Person, Unit
from tests.base import ModelTests
from tests.factories import DataRequestFactory, PersonFactory, SubmissionFactory, UnitFactory, id_number, uscc


class TestUnit(ModelTests):
    model = Unit
    edit = {"short_name": "新简称"}

    def make(self, unit):
        # A unit's own record is the unit; further rows for the count tests are new units.
        if not getattr(unit, "_handed_out", False):
            unit._handed_out = True
            return unit
        return UnitFactory()

    def form_data(self, unit):
        return {
            "name": f"新单位{uscc()[-6:]}",
            "short_name": "新单位",
            "uscc": uscc(),
            "kind": UnitKind.GOVERNMENT,
            "is_public_institution": "on",
            "active": "on",
        }

    def api_data(self, unit):
        return {
            "name": f"新单位{uscc()[-6:]}",
            "short_name": "新单位",
            "uscc": uscc(),
            "kind": UnitKind.GOVERNMENT,
            "is_public_institution": True,
            "active": True,
        }


class TestPerson(ModelTests):
    model = Person
    edit = {"rank": Rank.BUREAU_DEPUTY}

    def make(self, unit):
        return PersonFactory(unit=unit)

    def form_data(self, unit):
        return {"name": "张三", "unit": unit.pk, "rank": Rank.BELOW_BUREAU, "id_number": id_number()}

    def api_data(self, unit):
        return {"name": "张三", "unit": unit.pk, "rank": Rank.BELOW_BUREAU}


class TestDataRequest(ModelTests):
    model = DataRequest
    edit = {"title": "2022 年人员名册确认（修订）"}

    def make(self, unit):
        request = DataRequestFactory()
        request.units.add(unit)
        SubmissionFactory(request=request, unit=unit)
        return request

    def form_data(self, unit):
        return {
            "kind": "bureau.staff",
            "title": "2022 年人员名册确认",
            "year": 2022,
            "frequency": "annual",
            "deadline": "2023-03-31",
            "grace_days": 15,
            "units": [unit.pk],
            "note": "",
        }
