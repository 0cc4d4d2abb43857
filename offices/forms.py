from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bureau.forms import BaseModelForm
from bureau.scoping import has_model_perm
from offices.choices import RoomCategory
from offices.models import (
    Allocation,
    Building,
    Flat,
    Floor,
    Lease,
    Occupancy,
    Policy,
    RankLimit,
    Reconciliation,
    RepairProject,
    Revitalisation,
    Room,
    Site,
    Standard,
)


def occupant_errors(room, category, unit, persons, stored=True):
    """Why these persons cannot be the occupants of `room` (empty list when they can); `stored`:
    also whether they are seated in another room already (an import asks that for the whole file)."""
    persons = list(persons)
    if not persons:
        return []
    if category != RoomCategory.OFFICE:
        return [_("只有办公室用房登记使用人。")]
    errors = [
        _("%(person)s 不属于使用单位%(unit)s。") % {"person": p, "unit": unit}
        for p in persons
        if unit is None or p.unit_id != unit.pk
    ]
    if not stored:
        return errors
    elsewhere = (
        Occupancy.objects.filter(person__in=persons).exclude(room_id=room.pk).select_related("person", "room__building")
    )
    errors += [
        _("%(person)s 已在 %(building)s %(room)s 办公，一人只能占用一间办公室。")
        % {"person": o.person, "building": o.room.building.name, "room": o.room.number}
        for o in elsewhere
    ]
    return errors


class StandardForm(BaseModelForm):
    class Meta:
        model = Standard
        fields = ["name", "document", "level", "effective_from"]


class RankLimitForm(BaseModelForm):
    class Meta:
        model = RankLimit
        fields = ["standard", "rank", "limit_area"]


class PolicyForm(BaseModelForm):
    class Meta:
        model = Policy
        fields = ["year", "idle_target_area", "turnover_eligible_years"]


class SiteForm(BaseModelForm):
    class Meta:
        model = Site
        fields = ["name", "address", "land_area", "note"]


class BuildingForm(BaseModelForm):
    class Meta:
        model = Building
        fields = [
            "code",
            "name",
            "site",
            "address",
            "year_built",
            "structure",
            "floor_area",
            "land_area",
            "unit",
            "status",
            "title_state",
            "certificate_no",
            "registered_owner",
            "title_note",
        ]


class FloorForm(BaseModelForm):
    class Meta:
        model = Floor
        fields = ["building", "level", "name"]


class RoomForm(BaseModelForm):
    """The floor is given by its number in the building (as on a floor plan and in the import
    template), so a floor of another building cannot be chosen at all."""

    floor_level = forms.IntegerField(
        label=_("楼层"), help_text=_("所在楼宇的楼层号，地下为负数，例如 3 或 -1。该楼层须已在楼宇中登记。")
    )
    field_order = ["building", "floor_level", "number", "category", "kind", "usable_area", "unit", "occupants", "note"]

    class Meta:
        model = Room
        fields = ["building", "number", "category", "kind", "usable_area", "unit", "occupants", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.floor_id:
            self.initial.setdefault("floor_level", self.instance.floor.level)
        # An unbound form lists only the chosen unit's staff: the city has 20,000. A bound form
        # accepts anyone in the user's scope and says exactly what is wrong in clean().
        if not self.is_bound:
            unit = self.initial_id("unit") or self.instance.unit_id
            self.fields["occupants"].queryset = self.fields["occupants"].queryset.filter(unit_id=unit)
            if not unit:
                self.fields["occupants"].help_text = _("先保存使用单位，再选择该单位的使用人。")

    def clean(self):
        data = super().clean()
        building, number, level = data.get("building"), data.get("number"), data.get("floor_level")
        if building and level is not None:
            # An import re-binds one form for every row: each building's floor is looked up once.
            floors = self.__dict__.setdefault("_floors", {})
            if (building.pk, level) not in floors:
                floors[building.pk, level] = Floor.objects.filter(building=building, level=level).first()
            floor = floors[building.pk, level]
            if floor is None:
                self.add_error(
                    "floor_level",
                    _("楼宇 %(b)s 没有登记第 %(n)s 层，请先在楼宇中新增该楼层。") % {"b": building.name, "n": level},
                )
            else:
                self.instance.floor = floor
        if building and number and not self.checked_in_bulk:
            taken = Room.objects.filter(building=building, number=number).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("number", _("楼宇 %(b)s 内已有房间号 %(n)s。") % {"b": building.name, "n": number})
        if "occupants" in data:
            stored = not self.checked_in_bulk
            for message in occupant_errors(
                self.instance, data.get("category"), data.get("unit"), data["occupants"], stored
            ):
                self.add_error("occupants", message)
        return data

    @classmethod
    def check_file(cls, records, rows, labels):
        """One office a person: across the file's rows, and against the rooms already seated."""
        from bureau.imports.rows import RowError

        if "occupants" not in {f.name for f in records.many}:
            return []
        column, first, errors = labels.get("occupants", ""), {}, []
        for row in rows:
            for person in records.chosen(row, "occupants"):
                if person.pk in first:
                    message = _("%(person)s 已在第 %(row)d 行登记办公，一人只能占用一间办公室。")
                    errors.append(
                        RowError(row.number, column, str(message % {"person": person, "row": first[person.pk]}))
                    )
                else:
                    first[person.pk] = row.number
        seated = Occupancy.objects.filter(person__in=list(first)).select_related("person", "room__building")
        for o in seated if first else ():
            message = _("%(person)s 已在 %(building)s %(room)s 办公，一人只能占用一间办公室。")
            values = {"person": o.person, "building": o.room.building.name, "room": o.room.number}
            errors.append(RowError(first[o.person_id], column, str(message % values)))
        return errors


class AllocationForm(BaseModelForm):
    class Meta:
        model = Allocation
        fields = ["kind", "unit", "reason", "rooms", "total_area", "document_no", "approved_on", "effective_on", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.held = set()
        if not self.is_bound:
            # Offer the rooms that could take part: free ones, and the unit's own.
            unit = self.initial_id("unit") or self.instance.unit_id
            self.fields["rooms"].queryset = self.fields["rooms"].queryset.filter(
                Q(unit=None) | Q(unit_id=unit) if unit else Q(unit=None)
            )

    def clean(self):
        data = super().clean()
        if data.get("kind") and data.get("unit") and "rooms" in data:
            self.instance.kind, self.instance.unit = data["kind"], data["unit"]
            self.instance.total_area = data.get("total_area")
            self.held = self.instance.held_room_ids()
            for message in self.instance.check_rooms(list(data["rooms"]), self.held):
                self.add_error("rooms", message)
        return data

    def save(self, commit=True):
        saved = super().save(commit)
        saved.apply([r.pk for r in self.cleaned_data["rooms"] if r.pk not in self.held])
        return saved


class RepairProjectForm(BaseModelForm):
    REVIEW_FIELDS = ("approved_amount", "state", "review_note")

    class Meta:
        model = RepairProject
        fields = [
            "unit",
            "building",
            "year",
            "kind",
            "title",
            "scope",
            "added_floor_area",
            "requested_amount",
            "approved_amount",
            "state",
            "review_note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A unit applies; only the office-space division reviews.
        if not has_model_perm(self.user, RepairProject, "change"):
            for name in self.REVIEW_FIELDS:
                del self.fields[name]


class RevitalisationForm(BaseModelForm):
    class Meta:
        model = Revitalisation
        fields = ["building", "operator", "contract_no", "revitalised_area", "start", "end", "annual_revenue", "note"]


class FlatForm(BaseModelForm):
    class Meta:
        model = Flat
        fields = ["code", "address", "floor_area", "bedrooms", "monthly_rent"]


class LeaseForm(BaseModelForm):
    class Meta:
        model = Lease
        fields = ["flat", "person", "joined_on", "start", "end", "monthly_rent", "moved_out_on"]


class ReconciliationForm(BaseModelForm):
    class Meta:
        model = Reconciliation
        fields = ["unit", "period", "differences", "settled", "settle_note"]
