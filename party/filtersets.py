import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from bureau.filtersets import BaseFilterSet, YearFilter
from party.models import Archive, ArchiveEntry, Clue


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
