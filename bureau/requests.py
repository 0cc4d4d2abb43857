"""Request kinds: what a data request asks units for. The data-request engine (bureau.workflow)
knows nothing else about an area.

An app registers its kinds in its `requests.py`:

    class ConsumptionRow(RowForm):                  # validates ONE row (one line of the template)
        item = forms.ChoiceField(label="品种", choices=Item.choices)
        quantity = forms.DecimalField(label="数量", min_value=0)

    register(RequestKind(
        key="energy.consumption",
        title="公共机构能源资源消费统计",
        area="energy",                              # the staff role that reviews it
        row_form=ConsumptionRow,
        checks=(check_gaps,),                       # check(submission, rows) -> iterable of Flag
        on_approve=write_consumption,               # on_approve(submission, rows), inside the approval
        initial_rows=prefill,                       # optional: initial_rows(unit, period) -> list of dicts
    ))

`rows` are the cleaned_data dicts of the row forms. `on_approve` must be idempotent (replace what
an earlier approval of the same unit and period wrote): a reopened submission is approved again.
"""

from dataclasses import dataclass, field

from django import forms

from bureau.choices import Rank


class RowForm(forms.Form):
    """Base of a request kind's row form: knows the submission (unit, period) it belongs to."""

    def __init__(self, *args, submission=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.submission = submission
        for box in self.fields.values():
            # A spare row on the page must stay blank: a dropdown without an empty choice would
            # preselect its first option and make the untouched row look filled in.
            if type(box) is forms.ChoiceField and all(value != "" for value, _label in box.choices):
                box.choices = [("", "—— 请选择 ——"), *box.choices]


@dataclass(frozen=True)
class Flag:
    """An automatic check's finding, shown to the reviewer (it does not block submission)."""

    message: str
    level: str = "warning"  # "warning" or "error"
    row: int | None = None  # 1-based row of the submission's data
    field: str = ""

    def as_dict(self):
        return {"message": str(self.message), "level": self.level, "row": self.row, "field": self.field}


@dataclass(frozen=True)
class RequestKind:
    key: str
    title: str
    area: str
    row_form: type
    checks: tuple = ()
    on_approve: object = None
    initial_rows: object = None
    description: str = ""
    # The frequencies staff may choose for a request of this kind.
    frequencies: tuple = ("annual", "quarterly", "monthly")
    min_rows: int = 1
    extra_rows: int = 3
    meta: dict = field(default_factory=dict)


REGISTRY = {}


def register(kind):
    if kind.key in REGISTRY and REGISTRY[kind.key] != kind:
        raise ValueError(f"request kind {kind.key!r} is registered twice")
    REGISTRY[kind.key] = kind
    return kind


def kinds_for_areas(areas):
    return [k.key for k in REGISTRY.values() if k.area in areas]


# The core's own kind: each unit confirms its staff list, which the office-space standard and the
# energy statistics (energy-using people) rely on.


class StaffRow(RowForm):
    name = forms.CharField(label="姓名", max_length=50)
    rank = forms.ChoiceField(label="职级", help_text="按办公用房标准的职级", choices=Rank.choices)


def staff_rows(unit, period):
    return [{"name": p.name, "rank": p.rank} for p in unit.persons.order_by("name")]


def check_staff(submission, rows):
    from collections import Counter

    registered = submission.unit.persons.count()
    if registered and abs(len(rows) - registered) / registered > 0.1:
        yield Flag(f"报送 {len(rows)} 人，名册现有 {registered} 人，相差超过 10%。")
    for name, n in Counter(r["name"] for r in rows).items():
        if n > 1:
            yield Flag(f"姓名“{name}”出现 {n} 次，请核实是否重名。")


def apply_staff(submission, rows):
    """Add the people the unit reported and update ranks; nobody is deleted here (rooms and
    records may still refer to them), so a person missing from the list stays for staff to settle."""
    from bureau.models import Person

    current = {p.name: p for p in submission.unit.persons.all()}
    for row in rows:
        person = current.get(row["name"])
        if person is None:
            Person.objects.create(unit=submission.unit, name=row["name"], rank=row["rank"])
        elif person.rank != row["rank"]:
            person.rank = row["rank"]
            person.save()


register(
    RequestKind(
        key="bureau.staff",
        title="单位人员名册确认",
        area="offices",
        row_form=StaffRow,
        checks=(check_staff,),
        on_approve=apply_staff,
        initial_rows=staff_rows,
        frequencies=("annual",),
        description="各单位核对本单位在编人员及职级，通过后更新人员名册。",
    )
)
