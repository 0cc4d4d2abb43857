"""The unit sub-ledger confirmation ("20XX 年度办公用房统计"): each unit's liaison receives its rooms
from the master ledger, corrects or confirms them, and the differences go to the office-space
division to settle (账账相符, 《党政机关办公用房管理办法》 Art. 6)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from bureau.requests import Flag, RequestKind, RowForm, register
from offices.choices import RoomCategory
from offices.models import Reconciliation, Room


class LedgerRow(RowForm):
    building_code = forms.CharField(label=_("房产编号"), max_length=30)
    number = forms.CharField(label=_("房间号"), max_length=20)
    category = forms.ChoiceField(label=_("用房类别"), choices=RoomCategory.choices)
    usable_area = forms.DecimalField(
        label=_("使用面积（m²）"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={"min_value": _("面积必须大于 0。")},
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    @classmethod
    def clean_rows(cls, submission, rows):
        """A room listed twice cannot be confirmed: (row, field label, message) per repeat."""
        seen, errors = set(), []
        for number, row in enumerate(rows, 1):
            key = (row["building_code"], row["number"])
            if key in seen:
                errors.append((number, str(cls.base_fields["number"].label), _("同一房间填报了两次。")))
            seen.add(key)
        return errors


def ledger_rows(unit, period=None):
    """The unit's rooms as the master ledger holds them, one template row each."""
    rooms = Room.objects.filter(unit=unit).select_related("building").order_by("building__code", "number")
    return [
        {
            "building_code": r.building.code,
            "number": r.number,
            "category": r.category,
            "usable_area": r.usable_area,
            "note": "",
        }
        for r in rooms
    ]


def differences(unit, rows):
    """Where the unit's rows and the master ledger disagree: a list of plain dicts (JSON-safe),
    each with the 1-based row of the submission when the row exists."""
    ledger = {(r["building_code"], r["number"]): r for r in ledger_rows(unit)}
    found, seen = [], set()
    for i, row in enumerate(rows, 1):
        key = (row["building_code"], row["number"])
        item = {"row": i, "building": key[0], "number": key[1], "field": ""}
        if key in seen:
            continue  # refused by LedgerRow.clean_rows before any check runs
        seen.add(key)
        held = ledger.get(key)
        if held is None:
            found.append(
                item
                | {"message": str(_("主账中本单位没有此房间。")), "ledger": "", "reported": str(row["usable_area"])}
            )
            continue
        if Decimal(row["usable_area"]) != held["usable_area"]:
            found.append(
                item
                | {
                    "message": str(_("使用面积不一致。")),
                    "field": "usable_area",
                    "ledger": str(held["usable_area"]),
                    "reported": str(row["usable_area"]),
                }
            )
        if row["category"] != held["category"]:
            found.append(
                item
                | {
                    "message": str(_("用房类别不一致。")),
                    "field": "category",
                    "ledger": str(RoomCategory(held["category"]).label),
                    "reported": str(RoomCategory(row["category"]).label),
                }
            )
    for key in ledger.keys() - seen:
        found.append(
            {
                "row": None,
                "building": key[0],
                "number": key[1],
                "field": "",
                "message": str(_("主账中有此房间，单位未填报。")),
                "ledger": str(ledger[key]["usable_area"]),
                "reported": "",
            }
        )
    return found


def check_against_ledger(submission, rows):
    for d in differences(submission.unit, rows):
        where = f"{d['building']} {d['number']}"
        yield Flag(f"{where}：{d['message']}", row=d["row"], field=d["field"])


def record_reconciliation(submission, rows):
    """Approval records what the unit confirmed; a re-approval replaces the earlier record."""
    found = differences(submission.unit, rows)
    record = Reconciliation.objects.filter(unit=submission.unit, period=submission.period).first()
    if record is None:
        record = Reconciliation(unit=submission.unit, period=submission.period)
    record.differences = found
    record.settled = not found
    record.settle_note = "" if found else str(_("单位确认与主账一致。"))
    record.save()
    return record


register(
    RequestKind(
        key="offices.ledger",
        title="办公用房统计（分户账核对）",
        area="offices",
        row_form=LedgerRow,
        checks=(check_against_ledger,),
        on_approve=record_reconciliation,
        initial_rows=ledger_rows,
        description="单位核对本单位办公用房分户账：预填主账中的房间，有出入的直接修改或增删，差异由办公用房处核处。",
        frequencies=("annual",),
        min_rows=0,
    )
)
