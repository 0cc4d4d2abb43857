"""Every filter set reads as a clerk expects: "全部" for no choice (not `---------`), a yes/no
filter's "any" is "全部" (not "未知"), a month is picked with a month picker, and no label stands
without its input."""

import re

import pytest
from django import forms
from django.test import RequestFactory
from django.urls import reverse

from bureau import generic


@pytest.mark.django_db
def test_every_filter_sets_empty_choice_is_all(world):
    request = RequestFactory().get("/")
    request.user = world.admin
    for config in generic.registry().values():
        if config.filterset is None:
            continue
        form = config.filterset(None, queryset=config.model.objects.none(), request=request).form
        for name, field in form.fields.items():
            if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField):
                labels = [str(label) for _value, label in field.choices]
                assert "---------" not in labels, (config.model, name)
                assert labels[0] == "全部", (config.model, name)
            if isinstance(field, forms.NullBooleanField):
                html = str(form[name])
                assert "全部" in html and "未知" not in html, (config.model, name)


def filters(body):
    start = body.index('class="filters"')
    return body[start : body.index("</form>", start)]


@pytest.mark.django_db
def test_list_filters_show_all_month_pickers_and_no_bare_labels(client, world):
    client.force_login(world.admin)
    units = filters(client.get(reverse("bureau:unit_list")).content.decode())
    assert "---------" not in units and "未知" not in units and '<option value="" selected>全部</option>' in units
    rooms = filters(client.get(reverse("offices:room_list"), {"building": 1}).content.decode())
    for label in re.findall(r"<label>.*?</label>", rooms, re.S):
        assert re.search(r"<(input|select)(?![^>]*type=\"hidden\")", label), label
    assert re.search(r'<input type="hidden" name="building" value="1"', rooms)  # kept, not labelled
    consumption = filters(client.get(reverse("energy:consumption_list")).content.decode())
    assert re.search(r'<input type="month" name="period"', consumption)


@pytest.mark.django_db
def test_a_month_form_field_is_a_month_picker(client, world):
    client.force_login(world.staff("energy"))
    page = client.get(reverse("energy:consumption_add")).content.decode()
    assert re.search(r'<input type="month" name="period"', page)
