"""Tests that come free with a model (NetBox's ViewTestCases, healthchecks' three users).

Subclass `ModelTests` in tests/<app>/ as `Test<Model>` and supply only data:

    class TestBuilding(ModelTests):
        model = Building
        def make(self, unit): return BuildingFactory(unit=unit)
        def form_data(self, unit): return {...}          # a valid create form for `unit`
        def api_data(self, unit): return {...}           # a valid API create body for `unit`
        edit = {"name": "新名称"}                          # a change, for the form and the API

Every model then gets list, detail, create, edit, delete, history, export and API tests as anonymous,
liaison of the unit, liaison of another unit, area staff and leader; a conflict test; and query
counts pinned against the number of rows. `tests/test_coverage.py` fails for a model without them.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bureau import tablecache
from bureau.generic import registry
from bureau.models import AuditEntry
from bureau.roles import area_of
from bureau.scoping import is_liaison_action
from tests.html import page_form

COVERED = {}


def managing_role(model):
    return "admin" if model._meta.app_label == "bureau" else area_of(model)


def flatten(data):
    """Form-encode a dict: lists stay lists (multiple choice), None becomes empty."""
    return {k: ("" if v is None else v) for k, v in data.items()}


@pytest.mark.django_db
class ModelTests:
    model = None
    edit = {}
    # Models that a liaison may create for their own unit get the cross-unit create test.
    other_unit_field = "unit"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.model is not None:
            COVERED[cls.model] = cls

    # Data, supplied per model -------------------------------------------------------------------
    def make(self, unit):
        raise NotImplementedError

    def form_data(self, unit):
        raise NotImplementedError

    def api_data(self, unit):
        return self.form_data(unit)

    # Helpers --------------------------------------------------------------------------------------
    @property
    def config(self):
        return registry()[self.model]

    def url(self, action, obj=None):
        return reverse(self.config.url_name(action), args=[obj.pk] if obj is not None else [])

    def api_url(self, obj=None):
        opts = self.model._meta
        base = f"{opts.app_label}-api:{opts.model_name}"
        return reverse(f"{base}-detail", args=[obj.pk]) if obj is not None else reverse(f"{base}-list")

    def staff(self, world):
        return world.staff(managing_role(self.model))

    def liaison_may(self, action):
        return bool(is_liaison_action(self.model, action))

    def ids_in_list(self, client, url):
        response = client.get(url)
        assert response.status_code == 200, response.content[:500]
        return response

    # Pages ----------------------------------------------------------------------------------------
    def test_pages_are_registered(self):
        assert self.model in registry(), f"{self.model.__name__} has no ModelViews (list/detail/edit pages)"

    def test_anonymous_is_sent_to_login(self, client, world):
        obj = self.make(world.unit_a)
        for url in (self.url("list"), self.url("detail", obj), self.url("add"), self.url("edit", obj)):
            response = client.get(url)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url

    def test_list_as_staff_shows_every_unit(self, client, world):
        a, b = self.make(world.unit_a), self.make(world.unit_b)
        client.force_login(self.staff(world))
        body = self.ids_in_list(client, self.url("list")).content.decode()
        assert a.get_absolute_url() in body and b.get_absolute_url() in body

    def test_list_as_liaison_shows_only_own_unit(self, client, world):
        a, b = self.make(world.unit_a), self.make(world.unit_b)
        client.force_login(world.liaison_a)
        response = client.get(self.url("list"))
        if not self.liaison_may("view"):
            assert response.status_code == 403
            return
        body = response.content.decode()
        assert a.get_absolute_url() in body
        assert b.get_absolute_url() not in body

    def test_detail_of_other_unit_is_404_for_liaison(self, client, world):
        a, b = self.make(world.unit_a), self.make(world.unit_b)
        client.force_login(world.liaison_a)
        if not self.liaison_may("view"):
            assert client.get(self.url("detail", a)).status_code == 403
            return
        assert client.get(self.url("detail", a)).status_code == 200
        assert client.get(self.url("detail", b)).status_code == 404
        assert client.get(self.url("edit", b)).status_code == 404
        assert client.get(self.url("delete", b)).status_code == 404

    def test_other_units_record_is_404_on_every_page_for_liaison(self, client, world):
        """Another unit's record answers exactly like a missing one, whatever the page or method:
        a 403 would tell that it exists, and the liaison's own record gets 403 where denied."""
        if not self.liaison_may("view"):
            return
        b = self.make(world.unit_b)
        client.force_login(world.liaison_a)
        data = flatten(self.form_data(world.unit_a) | {"version": b.version})
        for action in ("detail", "edit", "delete", "history"):
            if not self.config.has(action):
                continue
            url = self.url(action, b)
            assert client.get(url).status_code == 404, url
            if action in ("edit", "delete"):
                assert client.post(url, data).status_code == 404, url
        assert self.model.objects.filter(pk=b.pk, version=b.version).exists()

    def test_filter_or_search_naming_another_unit_shows_none_of_its_rows(self, client, api, world):
        """`?unit=` of another unit's id, or a search for its name, on the list, the export and
        the API: never a row of that unit, and the same answer as for a unit that does not exist."""
        if not self.liaison_may("view"):
            return
        self.make(world.unit_a)
        b = self.make(world.unit_b)
        client.force_login(world.liaison_a)
        api.force_authenticate(world.liaison_a)
        scope = self.model.objects.for_user(world.liaison_a).count()
        for query in ({"unit": world.unit_b.pk}, {"q": world.unit_b.name}):
            response = client.get(self.url("list"), query)
            assert response.status_code == 200
            assert b.get_absolute_url() not in response.content.decode()
            if self.config.has("export"):
                assert _export_rows(client.get(self.url("export"), query)) <= scope
            response = api.get(self.api_url(), query)
            assert response.status_code in (200, 400)
            if response.status_code == 200:
                assert b.pk not in {row["id"] for row in _results(response)}
            missing = api.get(self.api_url(), {k: 999_999 if k == "unit" else "无此单位" for k in query})
            assert missing.status_code == response.status_code, query

    def test_dropdowns_and_import_template_offer_nothing_out_of_scope(self, client, world):
        """Every dropdown of the add form, and the import template's lists, hold only records the
        liaison may see: none of another unit's."""
        from django import forms

        if not self.liaison_may("add"):
            return
        client.force_login(world.liaison_a)
        form = client.get(self.url("add")).context["form"]
        for name, field in form.fields.items():
            if isinstance(field, forms.ModelChoiceField) and hasattr(field.queryset, "for_user"):
                scope = field.queryset.model.objects.for_user(world.liaison_a, "view")
                assert not field.queryset.exclude(pk__in=scope.values("pk")).exists(), name
        if self.config.has("import"):
            from io import BytesIO

            from openpyxl import load_workbook

            book = load_workbook(BytesIO(client.get(self.url("template")).content))
            cells = {str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row}
            b = world.unit_b
            assert str(world.unit_a) in cells and not {str(b), b.name, b.uscc} & cells

    def test_liaison_cannot_move_a_record_to_another_unit(self, client, api, world):
        if not self.liaison_may("change"):
            return
        obj = self.make(world.unit_a)
        client.force_login(world.liaison_a)
        data = self.form_data(world.unit_b) | {"version": obj.version}
        assert client.post(self.url("edit", obj), flatten(data)).status_code in (400, 403)
        api.force_authenticate(world.liaison_a)
        body = self.api_data(world.unit_b) | {"version": obj.version}
        assert api.put(self.api_url(obj), body, format="json").status_code in (400, 403)
        assert api.patch(
            self.api_url(obj), {"unit": world.unit_b.pk, "version": obj.version}, format="json"
        ).status_code in (
            400,
            403,
        )
        assert self.model.objects.filter(pk=obj.pk, version=obj.version, unit=world.unit_a).exists()

    def test_leader_reads_but_cannot_write(self, client, world):
        obj = self.make(world.unit_a)
        client.force_login(world.leader)
        assert client.get(self.url("list")).status_code == 200
        assert client.get(self.url("detail", obj)).status_code == 200
        assert client.get(self.url("add")).status_code == 403
        assert client.post(self.url("edit", obj), flatten(self.form_data(world.unit_a))).status_code == 403
        assert client.post(self.url("delete", obj)).status_code == 403
        assert self.model.objects.filter(pk=obj.pk).exists()

    def test_create_as_staff_is_saved_and_audited(self, client, world):
        client.force_login(self.staff(world))
        before = self.model.objects.count()
        response = client.post(self.url("add"), flatten(self.form_data(world.unit_a)))
        assert response.status_code == 302, _form_errors(response)
        assert self.model.objects.count() == before + 1
        created = self.model.objects.order_by("-pk").first()
        assert AuditEntry.objects.filter(
            action="create", content_type=ContentType.objects.get_for_model(self.model), object_id=str(created.pk)
        ).exists()

    def test_liaison_cannot_create_for_another_unit(self, client, world):
        if not self.liaison_may("add"):
            client.force_login(world.liaison_a)
            assert client.get(self.url("add")).status_code == 403
            return
        client.force_login(world.liaison_a)
        before = self.model.objects.count()
        response = client.post(self.url("add"), flatten(self.form_data(world.unit_b)))
        assert response.status_code in (400, 403)
        assert self.model.objects.count() == before
        response = client.post(self.url("add"), flatten(self.form_data(world.unit_a)))
        assert response.status_code == 302, _form_errors(response)
        assert self.model.objects.count() == before + 1

    def test_edit_as_staff_records_before_and_after(self, client, world):
        obj = self.make(world.unit_a)
        client.force_login(self.staff(world))
        data = self.form_data(world.unit_a) | self.edit | {"version": obj.version}
        response = client.post(self.url("edit", obj), flatten(data))
        assert response.status_code == 302, _form_errors(response)
        obj.refresh_from_db()
        field, value = next(iter(self.edit.items()))
        assert str(getattr(obj, field + "_id", None) or getattr(obj, field)) == str(value)
        entry = AuditEntry.objects.filter(action="update", object_id=str(obj.pk)).latest("id")
        assert any(name in entry.changes for name in (field, field + "_id"))

    def test_two_sessions_editing_one_record_get_one_save_and_one_conflict(self, client, world):
        """Two people open the same edit page and submit what it rendered: the first is saved, the
        second meets a conflict instead of silently overwriting the first."""
        from django.test import Client

        if not self.config.has("edit"):
            return
        obj = self.make(world.unit_a)
        other = Client()
        for session in (client, other):
            session.force_login(self.staff(world))
        url = self.url("edit", obj)
        first, second = page_form(client.get(url)), page_form(other.get(url))
        assert first.get("version") == [str(obj.version)], "the edit page renders the version it was read at"
        saved = client.post(url, first | {k: [str(v)] for k, v in self.edit.items()})
        assert saved.status_code == 302, _form_errors(saved)
        refused = other.post(url, second)
        assert refused.status_code == 409, _form_errors(refused)
        assert "已被他人修改" in refused.content.decode()
        obj.refresh_from_db()
        assert obj.version == int(first["version"][0]) + 1
        field, value = next(iter(self.edit.items()))
        assert str(getattr(obj, field + "_id", None) or getattr(obj, field)) == str(value)

    def test_edit_without_a_version_is_refused(self, client, world):
        """A form post that does not say which version it edits is refused, as the API's 428."""
        if not self.config.has("edit"):
            return
        obj = self.make(world.unit_a)
        client.force_login(self.staff(world))
        url = self.url("edit", obj)
        data = page_form(client.get(url)) | {k: [str(v)] for k, v in self.edit.items()}
        for version in ([], [""], ["abc"]):
            response = client.post(url, data | {"version": version})
            assert response.status_code == 428, _form_errors(response)
            assert "请刷新页面" in response.content.decode()
        assert self.model.objects.filter(pk=obj.pk, version=obj.version).exists()

    def test_delete_as_staff(self, client, world):
        obj = self.make(world.unit_a)
        client.force_login(self.staff(world))
        assert client.get(self.url("delete", obj)).status_code == 200
        response = client.post(self.url("delete", obj))
        assert response.status_code == 302
        assert not self.model.objects.filter(pk=obj.pk).exists()
        assert AuditEntry.objects.filter(action="delete", object_id=str(obj.pk)).exists()

    def test_history_shows_changes_to_staff_only(self, client, world):
        obj = self.make(world.unit_a)
        client.force_login(self.staff(world))
        assert client.get(self.url("history", obj)).status_code == 200
        client.force_login(world.liaison_a)
        assert client.get(self.url("history", obj)).status_code == 403

    def test_export_is_scoped(self, client, world):
        from io import BytesIO

        from openpyxl import load_workbook

        self.make(world.unit_a)
        self.make(world.unit_b)
        client.force_login(world.liaison_a if self.liaison_may("view") else self.staff(world))
        response = client.get(self.url("export"))
        assert response.status_code == 200
        sheet = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        expected = self.model.objects.for_user(
            world.liaison_a if self.liaison_may("view") else self.staff(world)
        ).count()
        assert len(rows) - 1 == expected

    def test_list_query_count_does_not_grow_with_rows(self, client, world):
        client.force_login(self.staff(world))
        self.make(world.unit_a)
        client.get(self.url("list"))  # warm the per-process caches (content types, permissions)
        with CaptureQueriesContext(connection) as few:
            assert client.get(self.url("list")).status_code == 200
        for _ in range(5):
            self.make(world.unit_a)
            self.make(world.unit_b)
        with CaptureQueriesContext(connection) as many:
            assert client.get(self.url("list")).status_code == 200
        assert len(many) == len(few), [q["sql"] for q in many.captured_queries]

    # API ------------------------------------------------------------------------------------------
    def test_api_refuses_anonymous(self, api, world):
        self.make(world.unit_a)
        assert api.get(self.api_url()).status_code in (401, 403)

    def test_api_list_is_scoped(self, api, world):
        a, b = self.make(world.unit_a), self.make(world.unit_b)
        api.force_authenticate(world.liaison_a)
        response = api.get(self.api_url(), {"page_size": 500})
        if not self.liaison_may("view"):
            assert response.status_code == 403
            return
        ids = {row["id"] for row in _results(response)}
        assert a.pk in ids and b.pk not in ids
        assert api.get(self.api_url(b)).status_code == 404
        api.force_authenticate(self.staff(world))
        ids = {row["id"] for row in _results(api.get(self.api_url(), {"page_size": 500}))}
        assert {a.pk, b.pk} <= ids

    def test_api_other_units_record_is_404_for_liaison(self, api, world):
        if not self.liaison_may("view"):
            return
        b = self.make(world.unit_b)
        api.force_authenticate(world.liaison_a)
        url = self.api_url(b)
        body = self.api_data(world.unit_a) | {"version": b.version}
        assert api.get(url).status_code == 404
        assert api.put(url, body, format="json").status_code == 404
        assert api.patch(url, {"version": b.version}, format="json").status_code == 404
        assert api.delete(url).status_code == 404
        assert self.model.objects.filter(pk=b.pk, version=b.version).exists()

    def test_api_liaison_cannot_create_for_another_unit(self, api, world):
        if not self.liaison_may("add"):
            return
        api.force_authenticate(world.liaison_a)
        before = self.model.objects.count()
        response = api.post(self.api_url(), self.api_data(world.unit_b), format="json")
        assert response.status_code in (400, 403), response.content
        assert self.model.objects.count() == before

    def test_api_cached_list_is_per_liaison(self, api, world):
        """The same query string, one liaison after the other: each gets their own unit's page."""
        if not self.liaison_may("view"):
            return
        a, b = self.make(world.unit_a), self.make(world.unit_b)
        seen = {}
        for user in (world.liaison_a, world.liaison_b, world.liaison_a):
            api.force_authenticate(user)
            seen[user.username] = {row["id"] for row in _results(api.get(self.api_url()))}
            other = b if user == world.liaison_a else a
            assert other.pk not in seen[user.username], user.username
        assert a.pk in seen["liaison_a"] and b.pk in seen["liaison_b"]

    def test_api_create_update_delete_as_staff(self, api, world):
        api.force_authenticate(self.staff(world))
        response = api.post(self.api_url(), self.api_data(world.unit_a), format="json")
        assert response.status_code == 201, response.content
        obj = self.model.objects.get(pk=response.data["id"])
        update = self.api_data(world.unit_a) | self.edit
        assert api.put(self.api_url(obj), update, format="json").status_code == 428
        response = api.put(self.api_url(obj), update | {"version": obj.version}, format="json")
        assert response.status_code == 200, response.content
        stale = api.patch(self.api_url(obj), {"version": obj.version}, format="json", HTTP_IF_MATCH=f'"{obj.version}"')
        assert stale.status_code == 412
        assert api.delete(self.api_url(obj)).status_code == 204
        assert not self.model.objects.filter(pk=obj.pk).exists()

    def test_api_concurrent_updates_one_wins(self, api, world):
        obj = self.make(world.unit_a)
        api.force_authenticate(self.staff(world))
        body = self.api_data(world.unit_a) | {"version": obj.version}
        assert api.put(self.api_url(obj), body, format="json").status_code == 200
        response = api.put(self.api_url(obj), body | self.edit, format="json")
        assert response.status_code == 409
        obj.refresh_from_db()
        assert obj.version == body["version"] + 1

    def test_api_invalid_input_names_the_field(self, api, world):
        api.force_authenticate(self.staff(world))
        response = api.post(self.api_url(), {}, format="json")
        assert response.status_code == 400
        assert isinstance(response.data, dict) and response.data

    def test_api_lone_surrogate_is_refused_naming_the_field(self, api, world):
        """A JSON string with a lone surrogate ("\\ud800") is text no database stores: a 400 naming
        the field, on create and on update, and nothing saved."""
        import json

        obj = self.make(world.unit_a)
        api.force_authenticate(self.staff(world))
        body = self.api_data(world.unit_a)
        name = next(k for k, v in body.items() if isinstance(v, str))
        bad = body | {name: "甲\ud800"}
        before = self.model.objects.count()
        for send, url in ((api.post, self.api_url()), (api.put, self.api_url(obj))):
            response = send(url, json.dumps(bad | {"version": obj.version}), content_type="application/json")
            assert response.status_code == 400, response.content
            assert list(response.json()) == [name]
        assert self.model.objects.count() == before
        assert self.model.objects.filter(pk=obj.pk, version=obj.version).exists()

    def test_api_leader_cannot_write(self, api, world):
        obj = self.make(world.unit_a)
        api.force_authenticate(world.leader)
        assert api.get(self.api_url(obj)).status_code == 200
        assert api.post(self.api_url(), self.api_data(world.unit_a), format="json").status_code == 403
        assert api.delete(self.api_url(obj)).status_code == 403  # a record they see: refused, not hidden

    def test_api_list_query_count_does_not_grow_with_rows(self, api, world):
        api.force_authenticate(self.staff(world))
        self.make(world.unit_a)
        api.get(self.api_url())
        tablecache.written(tablecache.ANY)  # as after any write: the next page is computed, not cached
        with CaptureQueriesContext(connection) as few:
            assert api.get(self.api_url()).status_code == 200
        for _ in range(5):
            self.make(world.unit_a)
            self.make(world.unit_b)
        with CaptureQueriesContext(connection) as many:
            page = api.get(self.api_url())
        assert page.status_code == 200
        assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
        with CaptureQueriesContext(connection) as again:
            assert api.get(self.api_url()).json() == page.json()
        assert len(again) == 0, "a page read again with no write in between comes from the list cache"


def _export_rows(response):
    from io import BytesIO

    from openpyxl import load_workbook

    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True).active
    return len(list(sheet.iter_rows(values_only=True))) - 1


def _results(response):
    data = response.data if hasattr(response, "data") else response.json()  # a cached page is plain
    return data["results"] if isinstance(data, dict) and "results" in data else data


def _form_errors(response):
    context = getattr(response, "context", None)
    if context and "form" in context:
        return context["form"].errors.as_json()
    return response.content[:800]
