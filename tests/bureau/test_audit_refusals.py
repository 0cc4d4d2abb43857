"""Who the audit trail is for: signed-in users who were refused or probed beyond their scope are
entries; anonymous refusals are log lines, at most one per address a minute (issue 10, item 5)."""

import logging
import re

import pytest
from django.urls import reverse

from bureau.models import AuditEntry, Person
from tests.factories import PersonFactory

PERSONS = "/api/v1/persons/"


def denied():
    return AuditEntry.objects.filter(action="denied")


def plain(response, url):
    """The page without what differs between any two requests: CSRF tokens, its own address."""
    return re.sub(r'value="\w{64}"', "", response.content.decode()).replace(url, "URL")


@pytest.mark.django_db
def test_anonymous_requests_do_not_fill_the_audit_table(api, world, caplog):
    other = PersonFactory(unit=world.unit_b)
    before = AuditEntry.objects.count()
    with caplog.at_level(logging.WARNING, logger="bureau.audit"):
        for i in range(50):
            url = PERSONS if i % 2 else f"{PERSONS}{other.pk}/"
            assert api.get(url).status_code in (401, 403)
        assert api.get(PERSONS, REMOTE_ADDR="10.9.8.7").status_code in (401, 403)
    assert AuditEntry.objects.count() == before
    lines = [r for r in caplog.records if r.name == "bureau.audit"]
    # One line per address a minute: 127.0.0.1 once (50 requests), 10.9.8.7 once.
    assert len(lines) == 2
    assert "127.0.0.1" in lines[0].getMessage() and PERSONS in lines[0].getMessage()
    assert "10.9.8.7" in lines[1].getMessage()


@pytest.mark.django_db
def test_a_liaisons_probe_of_another_units_record_is_an_audit_entry(client, api, world):
    other = PersonFactory(unit=world.unit_b, name="乙某")
    missing = Person.objects.order_by("-pk").first().pk + 1000
    client.force_login(world.liaison_a)
    api.force_authenticate(world.liaison_a)

    page = reverse("bureau:person_detail", args=[other.pk])
    response = client.get(page)
    assert response.status_code == 404
    absent = reverse("bureau:person_detail", args=[missing])
    assert plain(client.get(absent), absent) == plain(response, page)
    entries = list(denied())
    assert len(entries) == 1
    assert (entries[0].user, entries[0].path, entries[0].content_type.model, entries[0].object_id) == (
        world.liaison_a,
        page,
        "person",
        str(other.pk),
    )

    url = f"{PERSONS}{other.pk}/"
    response = api.get(url)
    # The same answer as for a record that does not exist: the liaison learns nothing.
    assert response.status_code == 404
    assert api.get(f"{PERSONS}{missing}/").content == response.content
    entries = list(denied().exclude(pk=entries[0].pk))
    assert len(entries) == 1
    assert (entries[0].user, entries[0].username, entries[0].path) == (world.liaison_a, "liaison_a", url)
    assert (entries[0].content_type.model, entries[0].object_id, entries[0].unit_id) == (
        "person",
        str(other.pk),
        world.unit_b.pk,
    )


@pytest.mark.django_db
def test_a_missing_record_is_not_an_audit_entry(api, world):
    api.force_authenticate(world.liaison_a)
    assert api.get(f"{PERSONS}987654/").status_code == 404
    assert not denied().exists()


@pytest.mark.django_db
def test_a_signed_in_users_refusal_names_the_model(api, world):
    mine = PersonFactory(unit=world.unit_a)
    api.force_authenticate(world.member)  # no role that may see persons
    url = f"{PERSONS}{mine.pk}/"
    assert api.get(url).status_code == 403
    entry = denied().get()
    assert (entry.user, entry.path, entry.content_type.model, entry.object_id) == (
        world.member,
        url,
        "person",
        str(mine.pk),
    )


@pytest.mark.django_db
def test_probes_and_refusals_on_the_portals_own_pages_are_audited_once(client, world):
    """Beyond the generic record pages: a submission's workflow page, a job's page, an area page
    that refuses a role; and a generic page's refusal is one entry, not two."""
    from bureau.models import Job
    from tests.factories import SubmissionFactory

    theirs = SubmissionFactory(unit=world.unit_b)
    job = Job.objects.create(kind="export", title="导出：人员", user=world.liaison_b)
    client.force_login(world.liaison_a)
    for url, obj in (
        (reverse("bureau:submission_detail", args=[theirs.pk]), theirs),
        (reverse("jobs:detail", args=[job.pk]), job),
    ):
        assert client.get(url).status_code == 404
        entry = denied().latest("id")
        assert (entry.user, entry.path, entry.content_type.model, entry.object_id) == (
            world.liaison_a,
            url,
            obj._meta.model_name,
            str(obj.pk),
        )
    assert denied().count() == 2

    assert client.get(reverse("bureau:unit_add")).status_code == 403
    assert denied().count() == 3
    client.force_login(world.member)
    url = reverse("offices:over_standard")
    assert client.get(url).status_code == 403
    entry = denied().latest("id")
    assert (denied().count(), entry.user, entry.path) == (4, world.member, url)
