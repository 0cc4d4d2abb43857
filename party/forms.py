from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from bureau.forms import BaseModelForm
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
    grant,
)

DATE = forms.DateInput(attrs={"type": "date"})


def discipline_staff():
    return get_user_model().objects.filter(groups__name="discipline", is_active=True).order_by("username")


class GrantingForm(BaseModelForm):
    """Whoever files a confidential record holds it."""

    def save(self, commit=True):
        adding = self.instance._state.adding
        saved = super().save(commit)
        if adding:
            grant(saved, self.user, by=self.user)
        return saved


class ClueForm(GrantingForm):
    class Meta:
        model = Clue
        fields = [
            "number",
            "received_on",
            "source",
            "unit",
            "subject",
            "summary",
            "handler",
            "state",
            "disposal",
            "form",
            "outcome",
        ]
        widgets = {"received_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = discipline_staff()

    def save(self, commit=True):
        saved = super().save(commit)
        saved.grant_handler(by=self.user)
        return saved


class GrantForm(forms.Form):
    user = forms.ModelChoiceField(label=_("授权给"), queryset=get_user_model().objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = discipline_staff()
        # Staff are chosen by name; the login tells two namesakes apart.
        self.fields["user"].label_from_instance = lambda u: f"{u.get_full_name() or u.username}（{u.username}）"


class ArchiveForm(GrantingForm):
    class Meta:
        model = Archive
        fields = ["person", "opened_on", "note"]
        widgets = {"opened_on": DATE}


class ArchiveEntryForm(BaseModelForm):
    class Meta:
        model = ArchiveEntry
        fields = ["archive", "kind", "date", "summary", "amount"]
        widgets = {"date": DATE}


class BranchForm(BaseModelForm):
    class Meta:
        model = Branch
        fields = ["unit", "name", "secretary", "members", "committee", "standard_state", "checklist", "evidence"]
        widgets = {
            "members": forms.SelectMultiple(attrs={"size": 12}),
            "committee": forms.SelectMultiple(attrs={"size": 6}),
        }

    def clean(self):
        data = super().clean()
        unit, members = data.get("unit"), set(data.get("members") or ())
        outsiders = [p for p in members if unit is not None and p.unit_id != unit.pk]
        if outsiders:
            self.add_error("members", _("%(names)s 不属于所在单位。") % {"names": "、".join(str(p) for p in outsiders)})
        if data.get("secretary") and data["secretary"] not in members:
            self.add_error("secretary", _("支部书记须是本支部党员。"))
        if set(data.get("committee") or ()) - members:
            self.add_error("committee", _("支委委员须是本支部党员。"))
        return data


class MeetingKindForm(BaseModelForm):
    class Meta:
        model = MeetingKind
        fields = ["name", "frequency", "order"]


class RequirementForm(BaseModelForm):
    class Meta:
        model = Requirement
        fields = ["branch", "kind", "frequency"]


class MeetingForm(BaseModelForm):
    class Meta:
        model = Meeting
        fields = ["branch", "kind", "held_on", "topics", "notice", "minutes"]
        widgets = {"held_on": DATE}


class AttendanceForm(BaseModelForm):
    class Meta:
        model = Attendance
        fields = ["meeting", "person", "present", "reason"]


def party_staff():
    return get_user_model().objects.filter(groups__name="party", is_active=True).order_by("username")


class InspectionRoundForm(BaseModelForm):
    class Meta:
        model = InspectionRound
        fields = ["name", "inspector", "started_on", "feedback_on", "warn_days"]
        widgets = {"started_on": DATE, "feedback_on": DATE}


class RectificationForm(BaseModelForm):
    class Meta:
        model = Rectification
        fields = [
            "round",
            "number",
            "problem",
            "unit",
            "division",
            "person",
            "measures",
            "deadline",
            "state",
            "progress",
            "evidence",
            "reviewer",
            "signed_off_on",
            "extension_reason",
            "extended_to",
            "mechanism",
        ]
        widgets = {"deadline": DATE, "signed_off_on": DATE, "extended_to": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "reviewer" in self.fields:
            self.fields["reviewer"].queryset = party_staff()


class QuizCampaignForm(BaseModelForm):
    class Meta:
        model = QuizCampaign
        fields = [
            "year",
            "title",
            "excellent_score",
            "study_target",
            "exam_target",
            "excellent_target",
            "rank_target",
            "own_unit",
            "rank",
            "ranked_units",
            "rank_score",
        ]


class QuizResultForm(BaseModelForm):
    class Meta:
        model = QuizResult
        fields = ["campaign", "person", "studied", "examined", "score"]


class QuizUploadForm(forms.Form):
    file = forms.FileField(label=_("法宣在线导出的 Excel 文件"))
    confirm = forms.BooleanField(
        label=_("确认导入已匹配的人员，跳过未匹配的人员"),
        required=False,
        help_text=_("有未匹配人员时，须勾选后再次上传才会导入；否则什么也不导入。"),
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("文件"), help_text=_("PDF、Word（.docx）、Excel（.xlsx）、JPG 或 PNG。"))


class RankingUploadForm(forms.Form):
    file = forms.FileField(label=_("法宣在线导出的单位排名表（Excel）"))
    confirm = forms.BooleanField(
        label=_("确认导入，忽略未匹配的单位"),
        required=False,
        help_text=_("有未匹配单位时，须勾选后再次上传才会保存本局排名；否则什么也不保存。"),
    )


class CaseStudyForm(BaseModelForm):
    class Meta:
        model = CaseStudy
        fields = ["month", "title", "summary", "source"]
        widgets = {"month": DATE}


class CaseSessionForm(BaseModelForm):
    class Meta:
        model = CaseSession
        fields = ["case", "branch", "held_on", "attendees", "note"]
        widgets = {"held_on": DATE, "attendees": forms.SelectMultiple(attrs={"size": 12})}

    def clean(self):
        data = super().clean()
        branch = data.get("branch")
        if branch is not None:
            members = set(branch.members.values_list("pk", flat=True))
            outsiders = [p for p in data.get("attendees") or () if p.pk not in members]
            if outsiders:
                self.add_error(
                    "attendees",
                    _("%(names)s 不是%(branch)s的党员。") % {"names": "、".join(map(str, outsiders)), "branch": branch},
                )
        return data


class PolicyForm(BaseModelForm):
    class Meta:
        model = Policy
        fields = ["number", "title", "issuer", "issued_on", "category", "state", "revised_by", "text"]
        widgets = {"issued_on": DATE, "text": forms.Textarea(attrs={"rows": 16})}


class TrainingForm(BaseModelForm):
    class Meta:
        model = Training
        fields = ["kind", "title", "start", "hours", "organiser", "attendees"]
        widgets = {"start": DATE, "attendees": forms.SelectMultiple(attrs={"size": 12})}
