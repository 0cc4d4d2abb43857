import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from bureau.filtersets import BaseFilterSet, YearFilter
from party.models import (
    Archive,
    ArchiveEntry,
    Attendance,
    Branch,
    CaseSession,
    CaseStudy,
    Clue,
    InspectionRound,
    Meeting,
    MeetingKind,
    Policy,
    QuizCampaign,
    QuizResult,
    Rectification,
    Requirement,
    Training,
)


class ClueFilterSet(BaseFilterSet):
    search_fields = ("number", "subject", "summary")
    year = YearFilter(field_name="received_on")

    class Meta:
        model = Clue
        fields = ["source", "state", "disposal", "form", "unit"]


class ArchiveFilterSet(BaseFilterSet):
    search_fields = ("person__name",)

    class Meta:
        model = Archive
        fields = ["person__unit"]


class ArchiveEntryFilterSet(BaseFilterSet):
    search_fields = ("archive__person__name",)
    year = YearFilter(field_name="date")
    # An archive's page links here; a dropdown of every cadre's archive would be too long.
    archive = django_filters.NumberFilter(field_name="archive", label=_("廉政档案"), widget=forms.HiddenInput)

    class Meta:
        model = ArchiveEntry
        fields = ["kind"]


class BranchFilterSet(BaseFilterSet):
    search_fields = ("name", "unit__name")

    class Meta:
        model = Branch
        fields = ["unit", "standard_state"]


class MeetingKindFilterSet(BaseFilterSet):
    search_fields = ("name",)

    class Meta:
        model = MeetingKind
        fields = ["frequency"]


class RequirementFilterSet(BaseFilterSet):
    class Meta:
        model = Requirement
        fields = ["branch", "kind", "frequency"]


class MeetingFilterSet(BaseFilterSet):
    search_fields = ("topics", "branch__name")
    year = YearFilter(field_name="held_on")

    class Meta:
        model = Meeting
        fields = ["branch", "kind"]


class AttendanceFilterSet(BaseFilterSet):
    search_fields = ("person__name",)
    meeting = django_filters.NumberFilter(field_name="meeting", label=_("会议"), widget=forms.HiddenInput)

    class Meta:
        model = Attendance
        fields = ["present"]


class InspectionRoundFilterSet(BaseFilterSet):
    search_fields = ("name", "inspector")
    year = YearFilter(field_name="started_on")

    class Meta:
        model = InspectionRound
        fields = []


class RectificationFilterSet(BaseFilterSet):
    search_fields = ("number", "problem", "division")

    class Meta:
        model = Rectification
        fields = ["round", "unit", "state"]


class QuizCampaignFilterSet(BaseFilterSet):
    search_fields = ("title",)

    class Meta:
        model = QuizCampaign
        fields = ["year"]


class QuizResultFilterSet(BaseFilterSet):
    search_fields = ("person__name",)
    campaign = django_filters.NumberFilter(field_name="campaign", label=_("学法考试"), widget=forms.HiddenInput)

    class Meta:
        model = QuizResult
        fields = ["person__unit", "studied", "examined"]


class CaseStudyFilterSet(BaseFilterSet):
    search_fields = ("title", "summary")
    year = YearFilter(field_name="month")

    class Meta:
        model = CaseStudy
        fields = []


class CaseSessionFilterSet(BaseFilterSet):
    search_fields = ("branch__name", "case__title")
    year = YearFilter(field_name="held_on")

    class Meta:
        model = CaseSession
        fields = ["case", "branch"]


class PolicyFilterSet(BaseFilterSet):
    """The keyword searches the full text too: on PostgreSQL a trigram index serves it (migration
    0007), elsewhere it is a plain scan."""

    search_fields = ("number", "title", "issuer", "text")
    year = YearFilter(field_name="issued_on")

    class Meta:
        model = Policy
        fields = ["category", "state"]


class TrainingFilterSet(BaseFilterSet):
    search_fields = ("title", "organiser")
    year = YearFilter(field_name="start")

    class Meta:
        model = Training
        fields = ["kind"]
