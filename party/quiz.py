"""The law quiz: reading the platform's Excel export, matching its people to ours by name and
unit, and the three rates per unit (DOMAIN.md: 参学率 = studied / staff, 参考率 = sat the exam /
staff, 优秀率 = excellent scores / sat the exam)."""

from collections import defaultdict
from dataclasses import dataclass, field

from django import forms
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from bureau.imports.columns import columns_for_form
from bureau.imports.rows import RowError, validate_upload
from bureau.models import Person
from party.models import QuizResult
from party.organisation import share


class RowForm(forms.Form):
    """One row of the platform's export."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    unit = forms.CharField(label=_("单位"), max_length=100, help_text=_("单位全称或简称。"))
    studied = forms.BooleanField(label=_("参学"), required=False)
    examined = forms.BooleanField(label=_("参考"), required=False)
    score = forms.DecimalField(label=_("成绩"), required=False, min_value=0, max_value=100, decimal_places=2)

    def clean(self):
        data = super().clean()
        if data.get("score") is not None and not data.get("examined"):
            self.add_error("score", _("未参考的人员不能有成绩。"))
        return data


def columns():
    return columns_for_form(RowForm, form_kwargs={})


@dataclass
class Reading:
    matched: list = field(default_factory=list)  # (row number, person, cleaned data)
    unmatched: list = field(default_factory=list)  # (row number, name, unit, why)
    errors: list = field(default_factory=list)  # RowError


def read(uploaded_file, user):
    """Validate every row and match it to a person the user may see. Raises UploadRejected."""
    rows, errors = validate_upload(uploaded_file, RowForm, {}, columns())
    found = Reading(errors=list(errors))
    wanted = {r.data["name"].strip() for r in rows}
    people = defaultdict(list)
    for person in Person.objects.for_user(user).filter(name__in=wanted).select_related("unit"):
        for unit_name in {person.unit.name, person.unit.short_name} - {""}:
            people[(person.name, unit_name)].append(person)
    seen = {}
    for row in rows:
        name, unit = row.data["name"].strip(), row.data["unit"].strip()
        candidates = people.get((name, unit), [])
        if len(candidates) != 1:
            why = _("本单位有同名人员，无法确定") if candidates else _("系统中无此单位的此人")
            found.unmatched.append((row.number, name, unit, why))
            continue
        person = candidates[0]
        if person.pk in seen:
            found.errors.append(RowError(row.number, "", _("与第 %(row)d 行是同一人。") % {"row": seen[person.pk]}))
            continue
        seen[person.pk] = row.number
        found.matched.append((row.number, person, row.data))
    return found


@transaction.atomic
def save(campaign, reading):
    """Write the matched rows: new results created, a person's earlier result replaced."""
    existing = {
        r.person_id: r
        for r in QuizResult.objects.filter(campaign=campaign, person__in=[p for _n, p, _d in reading.matched])
    }
    new, changed = [], []
    for _number, person, data in reading.matched:
        values = {"studied": data["studied"], "examined": data["examined"], "score": data["score"]}
        result = existing.get(person.pk)
        if result is None:
            new.append(QuizResult(campaign=campaign, person=person, **values))
        else:
            for name, value in values.items():
                setattr(result, name, value)
            changed.append(result)
    QuizResult.objects.bulk_create(new, batch_size=2000)
    for result in changed:  # a re-import: few rows, each saved (and audited) on its own
        result.save()
    return len(new), len(changed)


def unit_rates(campaign, units):
    """Per unit of `units` (with staff): staff, studied, examined, excellent and the three rates."""
    staff = dict(
        Person.objects.filter(unit__in=units).order_by().values("unit").annotate(n=Count("pk")).values_list("unit", "n")
    )
    counts = {
        row["person__unit"]: row
        for row in QuizResult.objects.filter(campaign=campaign, person__unit__in=units)
        .order_by()
        .values("person__unit")
        .annotate(**tallies(campaign))
    }
    found = []
    for unit in units.filter(pk__in=staff).order_by("name"):
        row = counts.get(unit.pk, {"n_studied": 0, "n_examined": 0, "n_excellent": 0})
        found.append(rates(unit, staff[unit.pk], row["n_studied"], row["n_examined"], row["n_excellent"]))
    return found


def tallies(campaign):
    return {
        "n_studied": Count("pk", filter=Q(studied=True)),
        "n_examined": Count("pk", filter=Q(examined=True)),
        "n_excellent": Count("pk", filter=Q(examined=True, score__gte=campaign.excellent_score)),
    }


def rates(unit, staff, studied, examined, excellent):
    return {
        "unit": unit,
        "staff": staff,
        "studied": studied,
        "examined": examined,
        "excellent": excellent,
        "study_rate": share(studied, staff),
        "exam_rate": share(examined, staff),
        "excellent_rate": share(excellent, examined),
    }


def total_rates(campaign, units):
    """The three rates over all of `units` together."""
    staff = Person.objects.filter(unit__in=units).count()
    found = QuizResult.objects.filter(campaign=campaign, person__unit__in=units).aggregate(**tallies(campaign))
    return rates(None, staff, found["n_studied"], found["n_examined"], found["n_excellent"])
