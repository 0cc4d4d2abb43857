"""Problem clues and integrity archives: reached only through grants (and an archive by its
cadre), 404 for everyone else on every page and in the API, in no list, search, export, dropdown or
workbook they can open, and every read in the audit trail."""

import datetime
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from openpyxl import load_workbook

from bureau.models import AuditEntry
from party.models import Archive, ArchiveEntry, Clue, GrantError, grant, revoke
from tests.base import ModelTests, flatten
from tests.conftest import make_user
from tests.factories import PersonFactory
from tests.party.factories import ArchiveEntryFactory, ArchiveFactory, ClueFactory


class GrantedTests(ModelTests):
    """The generic tests, with the records made held by the discipline staff member; a leader and a
    liaison get 404 for a record, not 403 (a 403 would tell that it exists)."""

    @pytest.fixture(autouse=True)
    def _cast(self, world):
        self.world = world

    def holder(self):
        world = getattr(self, "world", None)  # absent where another test only borrows make()
        if world is not None:
            return world.staff("discipline")
        return get_user_model().objects.filter(username="clue_holder").first() or make_user(
            "discipline", username="clue_holder"
        )

    def test_detail_of_other_unit_is_404_for_liaison(self, client, world):
        obj = self.make(world.unit_a)
        client.force_login(world.liaison_a)
        for action in ("detail", "edit", "delete", "history"):
            assert client.get(self.url(action, obj)).status_code == 404, action

    def test_history_shows_changes_to_staff_only(self, client, world):
        obj = self.make(world.unit_a)
        client.force_login(self.holder())
        assert client.get(self.url("history", obj)).status_code == 200
        client.force_login(world.liaison_a)
        assert client.get(self.url("history", obj)).status_code == 404

    def test_leader_reads_but_cannot_write(self, client, world):
        obj = self.make(world.unit_a)
        client.force_login(world.leader)
        assert client.get(self.url("list")).status_code == 403
        for action in ("detail", "edit", "delete"):
            assert client.get(self.url(action, obj)).status_code == 404, action
        assert client.post(self.url("edit", obj), flatten(self.form_data(world.unit_a))).status_code == 404
        assert client.post(self.url("delete", obj)).status_code == 404
        assert self.model.objects.filter(pk=obj.pk).exists()

    def test_api_leader_cannot_write(self, api, world):
        obj = self.make(world.unit_a)
        api.force_authenticate(world.leader)
        assert api.get(self.api_url(obj)).status_code == 404
        assert api.post(self.api_url(), self.api_data(world.unit_a), format="json").status_code == 403
        assert api.delete(self.api_url(obj)).status_code == 404
        assert self.model.objects.filter(pk=obj.pk).exists()


class TestClue(GrantedTests):
    model = Clue
    edit = {"subject": "李某某"}

    def make(self, unit):
        clue = ClueFactory(unit=unit)
        grant(clue, self.holder())
        return clue

    def form_data(self, unit):
        return {
            "number": "XS-NEW-1",
            "received_on": "2022-05-06",
            "source": "letter",
            "unit": unit.pk,
            "subject": "王某",
            "summary": "反映其公车私用。",
            "state": "received",
        }


class TestArchive(GrantedTests):
    model = Archive
    edit = {"note": "已补充家庭成员情况。"}

    def make(self, unit):
        archive = ArchiveFactory(person=PersonFactory(unit=unit))
        grant(archive, self.holder())
        return archive

    def form_data(self, unit):
        if not hasattr(self, "_person"):
            self._person = PersonFactory(unit=unit)
        return {"person": self._person.pk, "opened_on": "2022-01-10", "note": ""}


class TestArchiveEntry(GrantedTests):
    model = ArchiveEntry
    edit = {"summary": "谈话提醒：按时报告个人有关事项。"}

    def archive(self, unit):
        archive = ArchiveFactory(person=PersonFactory(unit=unit))
        grant(archive, self.holder())
        return archive

    def make(self, unit):
        return ArchiveEntryFactory(archive=self.archive(unit))

    def form_data(self, unit):
        if not hasattr(self, "_archive"):
            self._archive = self.archive(unit)
        return {"archive": self._archive.pk, "kind": "gift", "date": "2022-02-01", "summary": "上交月饼一盒。"}


# The confidentiality guarantees, by hand --------------------------------------------------------------


@pytest.fixture
def cast(world):
    """A clue and an archive held by one discipline officer; the cadre of the archive has an account."""
    holder = world.staff("discipline")
    others = {
        "ungranted discipline": make_user("discipline", username="discipline_2"),
        "leader": world.leader,
        "party staff": world.staff("party"),
        "offices staff": world.staff("offices"),
        "liaison": world.liaison_a,
        "admin": world.admin,
        "superuser": make_user(username="root", is_superuser=True, is_staff=True),
    }
    cadre_user = make_user("member", username="cadre")
    cadre = PersonFactory(unit=world.unit_a, user=cadre_user, name="赵干部")
    clue = ClueFactory(unit=world.unit_a, number="XS-SECRET-9", subject="钱某某", summary="绝密摘要文字")
    archive = ArchiveFactory(person=cadre)
    entry = ArchiveEntryFactory(archive=archive, summary="档案机密内容")
    for obj in (clue, archive):
        grant(obj, holder)
    return {"holder": holder, "others": others, "cadre": cadre_user, "clue": clue, "archive": archive, "entry": entry}


def pages(obj):
    name = obj._meta.model_name
    return [reverse(f"party:{name}_{a}", args=[obj.pk]) for a in ("detail", "edit", "delete", "history")]


def api_url(obj):
    name = {"clue": "clues", "archive": "archives", "archiveentry": "archive-entries"}[obj._meta.model_name]
    return f"/api/v1/party/{name}/{obj.pk}/"


@pytest.mark.django_db
def test_everyone_but_the_holders_gets_404_for_a_clue_and_an_archive(client, api, cast):
    for who, user in cast["others"].items():
        client.force_login(user)
        api.force_authenticate(user)
        for obj in (cast["clue"], cast["archive"], cast["entry"]):
            for url in pages(obj):
                assert client.get(url).status_code == 404, (who, url)
            assert api.get(api_url(obj)).status_code == 404, (who, obj)
            assert api.patch(api_url(obj), {"version": obj.version}, format="json").status_code == 404, who
            assert api.delete(api_url(obj)).status_code == 404, who
    assert Clue.objects.filter(pk=cast["clue"].pk, version=1).exists()


@pytest.mark.django_db
def test_the_cadre_reads_their_own_archive_only(client, api, cast, world):
    other = ArchiveFactory(person=PersonFactory(unit=world.unit_a))
    grant(other, cast["holder"])
    client.force_login(cast["cadre"])
    api.force_authenticate(cast["cadre"])
    archive = cast["archive"]
    assert client.get(archive.get_absolute_url()).status_code == 200
    assert "档案机密内容" in client.get(archive.get_absolute_url()).content.decode()
    assert client.get(cast["entry"].get_absolute_url()).status_code == 200
    assert api.get(api_url(archive)).status_code == 200
    listed = client.get(reverse("party:archive_list")).content.decode()
    assert archive.get_absolute_url() in listed and other.get_absolute_url() not in listed
    # Reading is all: no edit, no history, and nobody else's archive or any clue.
    assert client.get(reverse("party:archive_edit", args=[archive.pk])).status_code == 403
    assert client.get(other.get_absolute_url()).status_code == 404
    assert api.patch(api_url(archive), {"note": "x", "version": archive.version}, format="json").status_code == 403
    assert client.get(cast["clue"].get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_a_clue_is_in_no_list_search_export_or_dropdown_of_the_others(client, api, cast):
    clue = cast["clue"]
    for who, user in cast["others"].items():
        client.force_login(user)
        api.force_authenticate(user)
        for query in ({}, {"q": "XS-SECRET"}, {"q": "钱某某"}):
            response = client.get(reverse("party:clue_list"), query)
            assert response.status_code in (200, 403), who
            assert clue.get_absolute_url() not in response.content.decode(), who
            assert "XS-SECRET-9" not in response.content.decode(), who
            export = client.get(reverse("party:clue_export"), query)
            if export.status_code == 200:
                body = b"".join(export.streaming_content)
                cells = {c for row in load_workbook(BytesIO(body)).active.iter_rows(values_only=True) for c in row}
                assert "XS-SECRET-9" not in cells, who
            else:
                assert export.status_code == 403, who
            listed = api.get("/api/v1/party/clues/", query)
            assert listed.status_code in (200, 403), who
            if listed.status_code == 200:
                assert clue.pk not in {row["id"] for row in listed.json()["results"]}, who
        assert not Clue.objects.for_user(user).exists(), who
    # The holder finds it by number and by name.
    client.force_login(cast["holder"])
    assert "XS-SECRET-9" in client.get(reverse("party:clue_list"), {"q": "钱某某"}).content.decode()


@pytest.mark.django_db
def test_the_clue_is_in_no_workbook_sheet(client, cast, world):
    from openpyxl import Workbook

    from bureau import reports
    from bureau.reports import SheetWriter

    reports.all_sheets()  # the registry is filled at start-up
    book = Workbook(write_only=True)
    units = world.unit_a.__class__.objects.all()
    for sheet in reports.all_sheets():
        sheet.func(SheetWriter(book.create_sheet(sheet.key[:31])), 2022, units)
    handle = BytesIO()
    book.save(handle)
    loaded = load_workbook(BytesIO(handle.getvalue()), read_only=True)
    text = " ".join(str(c) for ws in loaded.worksheets for row in ws.iter_rows(values_only=True) for c in row)
    for secret in ("XS-SECRET-9", "钱某某", "绝密摘要文字", "档案机密内容"):
        assert secret not in text


@pytest.mark.django_db
def test_every_read_of_an_archive_or_clue_is_audited(client, api, cast):
    def reads(obj):
        return AuditEntry.objects.filter(
            action="action",
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            changes__has_key="read",
        )

    archive, clue, holder, cadre = cast["archive"], cast["clue"], cast["holder"], cast["cadre"]
    client.force_login(cadre)
    client.get(archive.get_absolute_url())
    api.force_authenticate(cadre)
    api.get(api_url(archive))
    client.force_login(holder)
    client.get(archive.get_absolute_url())
    client.get(clue.get_absolute_url())
    api.force_authenticate(holder)
    api.get(api_url(clue))
    assert list(reads(archive).order_by("id").values_list("username", flat=True)) == ["cadre", "cadre", holder.username]
    assert list(reads(clue).order_by("id").values_list("username", flat=True)) == [holder.username] * 2
    assert reads(cast["entry"]).count() == 0
    client.get(cast["entry"].get_absolute_url())
    assert reads(cast["entry"]).count() == 1


@pytest.mark.django_db
def test_the_audit_trail_keeps_no_clue_text(client, cast):
    clue = cast["clue"]
    client.force_login(cast["holder"])
    data = {
        "number": clue.number,
        "received_on": "2022-03-01",
        "source": "letter",
        "unit": clue.unit_id,
        "subject": "孙某某",
        "summary": "新的摘要文字",
        "state": "handling",
        "version": clue.version,
    }
    assert client.post(reverse("party:clue_edit", args=[clue.pk]), data).status_code == 302
    trail = " ".join(str(e.changes) + e.object_repr for e in AuditEntry.objects.filter(object_id=str(clue.pk)))
    assert "subject" in trail and "summary" in trail  # that they changed is recorded
    for secret in ("钱某某", "孙某某", "绝密摘要文字", "新的摘要文字"):
        assert secret not in trail


@pytest.mark.django_db
def test_granting_and_revoking(client, cast):
    clue, holder = cast["clue"], cast["holder"]
    colleague = cast["others"]["ungranted discipline"]
    url = reverse("party:clue_grants", args=[clue.pk])
    client.force_login(colleague)
    assert client.post(url, {"user": colleague.pk}).status_code == 404  # may not grant themself
    client.force_login(holder)
    assert client.post(url, {"user": colleague.pk}).status_code == 302
    client.force_login(colleague)
    assert client.get(clue.get_absolute_url()).status_code == 200
    client.force_login(holder)
    assert client.post(url, {"user": colleague.pk, "revoke": "1"}).status_code == 302
    client.force_login(colleague)
    assert client.get(clue.get_absolute_url()).status_code == 404
    # Only discipline staff can hold a clue.
    with pytest.raises(GrantError):
        grant(clue, cast["others"]["leader"])
    grants = AuditEntry.objects.filter(
        action="grant", content_type=ContentType.objects.get_for_model(Clue), object_id=str(clue.pk)
    )
    assert list(grants.order_by("id").values_list("changes", flat=True)) == [
        {"grantee": [None, holder.username]},  # the cast's
        {"grantee": [None, colleague.username]},
        {"grantee": [colleague.username, None]},
    ]


@pytest.mark.django_db
def test_a_grant_outlives_no_role(client, cast):
    """A holder who leaves the discipline role reaches nothing, though the grant row remains."""
    holder = cast["holder"]
    holder.groups.clear()
    holder._reach = None
    from django.core.cache import cache

    cache.clear()
    assert not Clue.objects.for_user(holder).exists()
    revoke(cast["clue"], holder)
    assert not Clue.objects.for_user(holder).exists()


@pytest.mark.django_db
def test_the_creator_holds_what_they_file(client, api, world):
    officer = world.staff("discipline")
    client.force_login(officer)
    data = {
        "number": "XS-2022-0100",
        "received_on": "2022-05-06",
        "source": "letter",
        "unit": world.unit_a.pk,
        "subject": "王某",
        "summary": "反映其公车私用。",
        "state": "concluded",
    }
    refused = client.post(reverse("party:clue_add"), data)
    assert refused.status_code == 400  # concluded without disposal and outcome
    assert set(refused.context["form"].errors) == {"disposal", "outcome"}
    data |= {"disposal": "talk", "form": "1", "outcome": "谈话提醒，已办结。"}
    assert client.post(reverse("party:clue_add"), data).status_code == 302
    clue = Clue.objects.get(number="XS-2022-0100")
    assert Clue.objects.for_user(officer).filter(pk=clue.pk).exists()
    assert not Clue.objects.for_user(make_user("discipline", username="d3")).exists()
    assert clue.received_on == datetime.date(2022, 5, 6)


@pytest.mark.django_db
def test_clue_count_is_a_count_for_the_whole_city_only(cast, world):
    from bureau import metrics
    from bureau.models import Unit

    ClueFactory(unit=world.unit_b, received_on=datetime.date(2022, 8, 1))
    ClueFactory(unit=world.unit_b, received_on=datetime.date(2021, 8, 1))
    assert metrics.value("party.clue_count", 2022, Unit.objects.all()) == 2
    # A unit's figure would tell which unit a clue concerns: none is given.
    assert metrics.value("party.clue_count", 2022, Unit.objects.filter(pk=world.unit_a.pk)) is None
    assert metrics.REGISTRY["party.clue_count"].unit_of_measure == "件"


@pytest.mark.django_db
def test_the_handler_holds_the_clue(client, cast):
    clue, holder = cast["clue"], cast["holder"]
    colleague = cast["others"]["ungranted discipline"]
    client.force_login(holder)
    form = client.get(reverse("party:clue_edit", args=[clue.pk])).context["form"]
    assert set(form.fields["handler"].queryset) == {holder, colleague}  # discipline staff only
    data = {
        "number": clue.number,
        "received_on": "2022-03-01",
        "source": "letter",
        "unit": clue.unit_id,
        "subject": clue.subject,
        "summary": clue.summary,
        "handler": colleague.pk,
        "state": "handling",
        "version": clue.version,
    }
    assert client.post(reverse("party:clue_edit", args=[clue.pk]), data).status_code == 302
    assert Clue.objects.for_user(colleague).filter(pk=clue.pk).exists()


@pytest.mark.django_db
def test_grant_choices_name_the_staff(client, cast):
    clue, holder = cast["clue"], cast["holder"]
    colleague = cast["others"]["ungranted discipline"]
    colleague.first_name = "纪检张"
    colleague.save()
    client.force_login(holder)
    page = client.get(clue.get_absolute_url()).content.decode()
    assert f"纪检张（{colleague.username}）</option>" in page
