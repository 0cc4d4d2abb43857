from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bureau.forms import BaseModelForm
from bureau.scoping import has_model_perm
from logistics import bookings
from logistics.choices import HOLDING
from logistics.models import (
    Applicant,
    Booking,
    CanteenMilestone,
    CanteenMonth,
    Checkin,
    Checkpoint,
    Event,
    EventAssignment,
    Journal,
    Patrol,
    PrintOrder,
    Route,
    SaleFlat,
    Survey,
    SurveyAnswer,
    Venue,
)
from vehicles.models import Vehicle


class VenueForm(BaseModelForm):
    class Meta:
        model = Venue
        fields = ["name", "building", "room", "capacity", "equipment", "managers", "active", "note"]


def overlaps_in_file(records, rows, column, key, holding, span, message):
    from bureau.imports.rows import RowError

    taken, errors = {}, []
    for row in rows:
        if not holding(row):
            continue
        start, end = span(row)
        for number, (other_start, other_end) in taken.get(records.value(row, key), []):
            if start < other_end and end > other_start:
                errors.append(RowError(row.number, column, str(message % {"row": number})))
                break
        taken.setdefault(records.value(row, key), []).append((row.number, (start, end)))
    return errors


class BookingForm(BaseModelForm):
    repeat_until = forms.DateField(
        label=_("每周重复至"),
        required=False,
        help_text=_("周期性会议：每周同一时间重复预订至此日期（含）。任何一次冲突则全部不预订。"),
    )

    class Meta:
        model = Booking
        fields = [
            "venue",
            "unit",
            "title",
            "start",
            "end",
            "attendees",
            "contact",
            "tea",
            "sound",
            "screen",
            "banner",
            "state",
            "reason",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = self.fields["venue"].queryset.filter(active=True)
        # Deciding is the venue manager's or the division's job (the decide page); a unit only asks.
        if not has_model_perm(self.user, Booking, "change"):
            for name in ("state", "reason"):
                self.fields.pop(name)
        if self.instance.pk:
            self.fields.pop("repeat_until")

    @classmethod
    def check_file(cls, records, rows, labels):
        """Rows of one file that overlap each other at one venue (each row was checked against the
        stored bookings by its form)."""
        return overlaps_in_file(
            records,
            rows,
            labels.get("start", ""),
            key="venue_id",
            holding=lambda row: records.value(row, "state") in HOLDING,
            span=lambda row: (records.value(row, "start"), records.value(row, "end")),
            message=_("与第 %(row)d 行在同一场所的时段冲突。"),
        )

    def _post_clean(self):
        super()._post_clean()
        until = self.cleaned_data.get("repeat_until")
        if until and self.checked_in_bulk:
            # An import saves the rows it read, one booking each.
            self.add_error("repeat_until", _("导入时不能设每周重复；周期性会议请在预订页面办理。"))
        elif until and not self.errors:
            try:
                self.repeats = bookings.weekly(self.instance, until)
            except ValidationError as exc:
                self.add_error("repeat_until", exc)

    def save(self, commit=True):
        with transaction.atomic():
            booking = super().save(commit)
            for repeat in getattr(self, "repeats", ()):
                repeat.series = booking.series
                repeat.save()
        return booking


class EventForm(BaseModelForm):
    class Meta:
        model = Event
        fields = [
            "unit",
            "title",
            "place",
            "start",
            "end",
            "category",
            "vehicles_needed",
            "drivers_needed",
            "state",
            "reason",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Whether an event was served is the division's word; a unit only asks.
        if not has_model_perm(self.user, Event, "change"):
            for name in ("state", "reason"):
                self.fields.pop(name)


class EventAssignmentForm(BaseModelForm):
    class Meta:
        model = EventAssignment
        fields = ["event", "vehicle", "driver", "driver_phone", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vehicle"].queryset = fleet_for(self.user)

    @classmethod
    def check_file(cls, records, rows, labels):
        """One vehicle sent in two rows to events that overlap."""
        events = {
            e.pk: e
            for e in Event.objects.filter(pk__in={records.value(r, "event_id") for r in rows}).exclude(
                state="cancelled"
            )
        }
        return overlaps_in_file(
            records,
            rows,
            labels.get("vehicle", ""),
            key="vehicle_id",
            holding=lambda row: records.value(row, "event_id") in events,
            span=lambda row: (events[records.value(row, "event_id")].start, events[records.value(row, "event_id")].end),
            message=_("该车辆已在第 %(row)d 行派往时间重叠的活动。"),
        )


def fleet_for(user):
    """The vehicles the division may send: the whole city's registry (events draw on every unit's
    fleet), though the logistics role keeps no other right on the vehicles area."""
    if has_model_perm(user, EventAssignment, "add"):
        return Vehicle.objects.order_by("plate")
    return Vehicle.objects.for_user(user, "view")


class PrintOrderForm(BaseModelForm):
    class Meta:
        model = PrintOrder
        fields = [
            "unit",
            "document",
            "ordered_on",
            "pages",
            "copies",
            "binding",
            "page_price",
            "binding_price",
            "cost",
            "delivered_on",
            "errors",
            "error_note",
            "corrected_on",
        ]


class SurveyForm(BaseModelForm):
    class Meta:
        model = Survey
        fields = ["service", "year", "period", "title", "questions", "target", "follow_up_below"]


class SurveyAnswerForm(BaseModelForm):
    class Meta:
        model = SurveyAnswer
        fields = ["survey", "unit", "item", "score", "comment", "follow_up", "action_taken", "closed_on"]


class SendSurveyForm(forms.Form):
    deadline = forms.DateField(label=_("截止日期"))
    units = forms.ModelMultipleChoiceField(
        label=_("服务对象单位"), queryset=None, required=False, help_text=_("留空则发给全部在用单位。")
    )

    def __init__(self, *args, user, **kwargs):
        from bureau.models import Unit

        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.for_user(user, "view").filter(active=True)

    def chosen_units(self):
        return self.cleaned_data["units"] or self.fields["units"].queryset


class RouteForm(BaseModelForm):
    class Meta:
        model = Route
        fields = [
            "unit",
            "site",
            "name",
            "patrols_per_month",
            "daily_notes",
            "weekly_journals",
            "target",
            "patrol_hours",
            "active",
        ]


class CheckpointForm(BaseModelForm):
    class Meta:
        model = Checkpoint
        fields = ["route", "name", "order"]


class PatrolForm(BaseModelForm):
    class Meta:
        model = Patrol
        fields = ["route", "inspector", "started", "expires", "note"]


class CheckinForm(BaseModelForm):
    class Meta:
        model = Checkin
        fields = ["patrol", "checkpoint", "time", "note"]

    def clean(self):
        data = super().clean()
        if self.instance.inspector_id is None:
            self.instance.inspector = self.user
        return data


class JournalForm(BaseModelForm):
    class Meta:
        model = Journal
        fields = ["route", "kind", "date", "content", "issues", "rectify_by", "rectified_on"]


class ApplicantForm(BaseModelForm):
    class Meta:
        model = Applicant
        fields = ["compound", "name", "unit", "ranking", "eligible", "note"]


class SaleFlatForm(BaseModelForm):
    class Meta:
        model = SaleFlat
        fields = ["compound", "building", "number", "area", "price", "paid"]


class CanteenMilestoneForm(BaseModelForm):
    class Meta:
        model = CanteenMilestone
        fields = ["unit", "project", "name", "planned", "actual", "state"]


class CanteenMonthForm(BaseModelForm):
    class Meta:
        model = CanteenMonth
        fields = ["unit", "canteen", "month", "meals", "cost", "food_waste_kg"]
