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
from bureau.models import Person, Unit
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


# The platform's ranking of municipal units ------------------------------------------------------


class RankRowForm(forms.Form):
    """One row of the platform's ranking sheet."""

    rank = forms.IntegerField(label=_("排名"), min_value=1)
    unit = forms.CharField(label=_("单位"), max_length=100, help_text=_("单位全称或简称。"))
    score = forms.DecimalField(
        label=_("得分"), required=False, min_value=0, max_digits=7, decimal_places=2, help_text=_("平均分或参学率。")
    )


def ranking_columns():
    return columns_for_form(RankRowForm, form_kwargs={})


@dataclass
class Ranking:
    rows: int = 0  # units ranked, matched or not
    own: tuple = None  # (rank, score) of the campaign's own unit
    unmatched: list = field(default_factory=list)  # (row number, unit, rank)
    errors: list = field(default_factory=list)  # RowError


def read_ranking(uploaded_file, campaign, user):
    """Validate the ranking, match its units by name or short name, find the bureau's row.
    Raises UploadRejected."""
    rows, errors = validate_upload(uploaded_file, RankRowForm, {}, ranking_columns())
    found = Ranking(rows=len(rows) + len(errors), errors=list(errors))
    units = {}
    for unit in Unit.objects.for_user(user).only("pk", "name", "short_name"):
        for name in {unit.name, unit.short_name} - {""}:
            units.setdefault(name, unit.pk)
    seen = {}
    for row in rows:
        name = row.data["unit"].strip()
        if row.data["rank"] > found.rows:
            found.errors.append(RowError(row.number, _("排名"), _("排名不能大于表中的单位数。")))
        pk = units.get(name)
        if pk is None:
            found.unmatched.append((row.number, name, row.data["rank"]))
            continue
        if pk in seen:
            found.errors.append(RowError(row.number, _("单位"), _("与第 %(row)d 行是同一单位。") % {"row": seen[pk]}))
            continue
        seen[pk] = row.number
        if pk == campaign.own_unit_id:
            found.own = (row.data["rank"], row.data["score"])
    if not found.errors and found.own is None:
        found.errors.append(RowError(0, _("单位"), _("表中没有本局（%(unit)s）。") % {"unit": campaign.own_unit}))
    return found


def save_ranking(campaign, ranking):
    campaign.rank, campaign.rank_score = ranking.own
    campaign.ranked_units = ranking.rows
    campaign.save()
