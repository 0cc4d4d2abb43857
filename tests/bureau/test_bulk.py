"""Audited inserts from tuples (bureau.bulk): through COPY on PostgreSQL, the same records and the
same audit entries as BaseQuerySet.bulk_create."""

import pytest
from django.forms.models import model_to_dict

from bureau import audit, bulk, tablecache
from bureau.choices import Rank, UnitKind
from bureau.models import AuditEntry, Person, Unit
from tests.conftest import require_postgres
from tests.factories import UnitFactory, id_number, uscc

SAME = ["action", "user_id", "username", "content_type_id", "object_repr", "unit_id", "ip", "path"]


def entry_of(obj):
    return AuditEntry.objects.get(action="create", content_type__model=obj._meta.model_name, object_id=str(obj.pk))


def attnames(model):
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key]


def test_copy_writes_the_rows_and_entries_bulk_create_writes(world):
    require_postgres()
    # Text that COPY must escape (tab, newline, backslash), a masked ID number, an empty user.
    name = "张\t三\\n\n"
    code = id_number()
    with audit.acting_as(world.admin, ip="10.0.0.1", path="/persons/import/"):
        (orm,) = Person.objects.bulk_create(
            [Person(name=name, unit=world.unit_a, rank=Rank.BELOW_BUREAU, id_number=code)]
        )
        template = Person(name=name, unit=world.unit_a, rank=Rank.BELOW_BUREAU, id_number=code)
        (pk,) = bulk.insert(Person, attnames(Person), [tuple(getattr(template, a) for a in attnames(Person))])
    copied = Person.objects.get(pk=pk)
    assert model_to_dict(copied, exclude=["id"]) == model_to_dict(Person.objects.get(pk=orm.pk), exclude=["id"])
    assert copied.name == name and copied.version == 1 and copied.created is not None
    a, b = entry_of(orm), entry_of(copied)
    assert [getattr(b, f) for f in SAME] == [getattr(a, f) for f in SAME]
    assert b.username == "admin" and b.unit_id == world.unit_a.pk and b.ip == "10.0.0.1"
    assert a.changes.pop("id") == [None, orm.pk] and b.changes.pop("id") == [None, pk]
    assert b.changes == a.changes
    # Every field as created, the ID number masked, nothing empty, nothing untracked.
    assert b.changes == {
        "name": [None, name],
        "unit_id": [None, world.unit_a.pk],
        "rank": [None, Rank.BELOW_BUREAU],
        "id_number": [None, code[:4] + "…" + code[-2:]],
    }


def test_copy_of_a_unit_names_itself_as_the_unit(world):
    require_postgres()
    template = Unit(name="新单位", short_name="新", uscc=uscc(), kind=UnitKind.GOVERNMENT)
    with audit.acting_as(world.admin):
        pks = bulk.insert(Unit, attnames(Unit), [tuple(getattr(template, a) for a in attnames(Unit))])
    entry = entry_of(Unit.objects.get(pk=pks[0]))
    assert entry.unit_id == pks[0] and entry.object_repr == "新"  # str(unit): its short name
    assert entry.changes["active"] == [None, True] and entry.changes["kind"] == [None, UnitKind.GOVERNMENT]
    assert "parent_id" not in entry.changes  # None is not a change


def test_pks_come_back_in_the_rows_order(world):
    rows = [(f"人员{i}", world.unit_b.pk, Rank.BELOW_BUREAU, "") for i in range(7)]
    pks = bulk.insert(Person, ["name", "unit_id", "rank", "id_number"], rows)
    assert [Person.objects.get(pk=pk).name for pk in pks] == [f"人员{i}" for i in range(7)]
    entries = AuditEntry.objects.filter(action="create", content_type__model="person", object_id__in=map(str, pks))
    assert sorted(int(e.object_id) for e in entries) == pks


def test_count_among_counts_only_the_given_keys_in_the_queryset(world):
    rows = [("甲人", world.unit_a.pk, Rank.BELOW_BUREAU, ""), ("乙人", world.unit_b.pk, Rank.BELOW_BUREAU, "")] * 3
    pks = bulk.insert(Person, ["name", "unit_id", "rank", "id_number"], rows)
    other = Person.objects.create(name="不在其中", unit=world.unit_a, rank=Rank.BELOW_BUREAU)
    assert bulk.count_among(Person.objects.filter(unit=world.unit_a), pks) == 3
    assert bulk.count_among(Person.objects.all(), pks) == 6
    assert bulk.count_among(Person.objects.all(), [*pks[:2], other.pk]) == 3


def test_count_among_with_gaps_between_the_keys(world):
    pks = [
        p.pk
        for p in (Person.objects.create(name=f"人{i}", unit=world.unit_a, rank=Rank.BELOW_BUREAU) for i in range(5))
    ]
    # Keys 1, 3, 4 of 5: two runs, and the keys between them are not counted.
    assert bulk.count_among(Person.objects.all(), [pks[4], pks[1], pks[3]]) == 3
    assert bulk.count_among(Person.objects.all(), []) == 0


@pytest.mark.django_db(transaction=True)
def test_copy_stamps_both_tables_now_and_at_commit(monkeypatch):
    """COPY bypasses the cursor's execute() that bureau.tablecache watches: cached pages read from
    the persons or the audit trail must still go stale, at once and again when the import commits."""
    require_postgres()
    unit = UnitFactory()
    stamped = []
    monkeypatch.setattr(tablecache, "written", lambda *tables: stamped.append(set(tables)))
    bulk.insert(Person, ["name", "unit_id", "rank", "id_number"], [("新人", unit.pk, Rank.BELOW_BUREAU, "")])
    assert stamped == [{"bureau_person"}, {"bureau_auditentry"}, {"bureau_person", "bureau_auditentry"}]
