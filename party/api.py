from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.routers import SimpleRouter

from bureau.rest import CleanedSerializer, ModelViewSet
from party import filtersets
from party.choices import Light
from party.forms import discipline_staff, party_staff
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
    record_read,
)


class GrantingSerializer(CleanedSerializer):
    """Whoever files a confidential record holds it."""

    def create(self, validated_data):
        created = super().create(validated_data)
        user = self.context["request"].user
        grant(created, user, by=user)
        return created


class ClueSerializer(GrantingSerializer):
    handler = serializers.PrimaryKeyRelatedField(queryset=discipline_staff(), required=False, allow_null=True)

    def save(self, **kwargs):
        saved = super().save(**kwargs)
        saved.grant_handler(by=self.context["request"].user)
        return saved

    class Meta:
        model = Clue
        fields = [
            "id",
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
            "version",
        ]


class ArchiveSerializer(GrantingSerializer):
    class Meta:
        model = Archive
        fields = ["id", "person", "opened_on", "note", "version"]


class ArchiveEntrySerializer(CleanedSerializer):
    class Meta:
        model = ArchiveEntry
        fields = ["id", "archive", "kind", "date", "summary", "amount", "version"]


class ConfidentialViewSet(ModelViewSet):
    """Every record read through the API is in the audit trail, as on the detail page."""

    def get_object(self):
        obj = super().get_object()
        if self.action == "retrieve":
            record_read(obj, "API", self.request.user)
        return obj


def viewset(model, serializer, filterset, queryset=None, base=ModelViewSet):
    return type(
        f"{model.__name__}ViewSet",
        (base,),
        {
            "queryset": queryset if queryset is not None else model.objects.all(),
            "serializer_class": serializer,
            "filterset_class": filterset,
        },
    )


router = SimpleRouter()
router.register("clues", viewset(Clue, ClueSerializer, filtersets.ClueFilterSet, base=ConfidentialViewSet))
router.register(
    "archives",
    viewset(
        Archive,
        ArchiveSerializer,
        filtersets.ArchiveFilterSet,
        Archive.objects.select_related("person"),
        base=ConfidentialViewSet,
    ),
)
router.register(
    "archive-entries",
    viewset(ArchiveEntry, ArchiveEntrySerializer, filtersets.ArchiveEntryFilterSet, base=ConfidentialViewSet),
)


class BranchSerializer(CleanedSerializer):
    class Meta:
        model = Branch
        fields = [
            "id",
            "unit",
            "name",
            "secretary",
            "members",
            "committee",
            "standard_state",
            "checklist",
            "evidence",
            "version",
        ]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self.instance
        unit = attrs.get("unit", instance.unit if instance else None)
        members = set(attrs["members"] if "members" in attrs else (instance.members.all() if instance else ()))
        errors = {}
        outsiders = [str(p) for p in members if unit is not None and p.unit_id != unit.pk]
        if outsiders:
            errors["members"] = [_("%(names)s 不属于所在单位。") % {"names": "、".join(outsiders)}]
        secretary = attrs.get("secretary", instance.secretary if instance else None)
        if secretary is not None and secretary not in members:
            errors["secretary"] = [_("支部书记须是本支部党员。")]
        committee = set(attrs["committee"] if "committee" in attrs else (instance.committee.all() if instance else ()))
        if committee - members:
            errors["committee"] = [_("支委委员须是本支部党员。")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class MeetingKindSerializer(CleanedSerializer):
    class Meta:
        model = MeetingKind
        fields = ["id", "name", "frequency", "order", "version"]


class PartyRequirementSerializer(CleanedSerializer):
    class Meta:
        model = Requirement
        fields = ["id", "branch", "kind", "frequency", "version"]


class PartyMeetingSerializer(CleanedSerializer):
    class Meta:
        model = Meeting
        fields = ["id", "branch", "kind", "held_on", "topics", "notice", "minutes", "version"]


class PartyAttendanceSerializer(CleanedSerializer):
    class Meta:
        model = Attendance
        fields = ["id", "meeting", "person", "present", "reason", "version"]


router.register(
    "branches",
    viewset(
        Branch, BranchSerializer, filtersets.BranchFilterSet, Branch.objects.prefetch_related("members", "committee")
    ),
)
router.register("meeting-kinds", viewset(MeetingKind, MeetingKindSerializer, filtersets.MeetingKindFilterSet))
router.register("requirements", viewset(Requirement, PartyRequirementSerializer, filtersets.RequirementFilterSet))
router.register("meetings", viewset(Meeting, PartyMeetingSerializer, filtersets.MeetingFilterSet))
router.register("attendance", viewset(Attendance, PartyAttendanceSerializer, filtersets.AttendanceFilterSet))


class PartyInspectionRoundSerializer(CleanedSerializer):
    class Meta:
        model = InspectionRound
        fields = ["id", "name", "inspector", "started_on", "feedback_on", "warn_days", "version"]


class RectificationSerializer(CleanedSerializer):
    reviewer = serializers.PrimaryKeyRelatedField(queryset=party_staff(), required=False, allow_null=True)
    light = serializers.SerializerMethodField()

    class Meta:
        model = Rectification
        fields = [
            "id",
            "round",
            "number",
            "problem",
            "unit",
            "division",
            "person",
            "measures",
            "deadline",
            "state",
            "light",
            "progress",
            "evidence",
            "reviewer",
            "signed_off_on",
            "extension_reason",
            "extended_to",
            "mechanism",
            "version",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=Light.choices, allow_null=True))
    def get_light(self, obj):
        found = obj.light()
        return found.value if found else None


router.register(
    "inspection-rounds", viewset(InspectionRound, PartyInspectionRoundSerializer, filtersets.InspectionRoundFilterSet)
)
router.register(
    "rectifications",
    viewset(
        Rectification,
        RectificationSerializer,
        filtersets.RectificationFilterSet,
        Rectification.objects.select_related("round"),
    ),
)


class QuizCampaignSerializer(CleanedSerializer):
    class Meta:
        model = QuizCampaign
        fields = [
            "id",
            "year",
            "title",
            "excellent_score",
            "study_target",
            "exam_target",
            "excellent_target",
            "rank",
            "ranked_units",
            "version",
        ]


class QuizResultSerializer(CleanedSerializer):
    class Meta:
        model = QuizResult
        fields = ["id", "campaign", "person", "studied", "examined", "score", "version"]


router.register("quiz-campaigns", viewset(QuizCampaign, QuizCampaignSerializer, filtersets.QuizCampaignFilterSet))
router.register("quiz-results", viewset(QuizResult, QuizResultSerializer, filtersets.QuizResultFilterSet))


class CaseStudySerializer(CleanedSerializer):
    class Meta:
        model = CaseStudy
        fields = ["id", "month", "title", "summary", "source", "version"]


class CaseSessionSerializer(CleanedSerializer):
    class Meta:
        model = CaseSession
        fields = ["id", "case", "branch", "held_on", "attendees", "note", "version"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        branch = attrs.get("branch", self.instance.branch if self.instance else None)
        attendees = attrs.get("attendees", ())
        members = set(branch.members.values_list("pk", flat=True)) if branch else set()
        outsiders = [str(p) for p in attendees if p.pk not in members]
        if outsiders:
            raise serializers.ValidationError(
                {"attendees": [_("%(names)s 不是本支部党员。") % {"names": "、".join(outsiders)}]}
            )
        return attrs


class PartyPolicySerializer(CleanedSerializer):
    class Meta:
        model = Policy
        fields = ["id", "number", "title", "issuer", "issued_on", "category", "state", "revised_by", "text", "version"]


class PartyTrainingSerializer(CleanedSerializer):
    class Meta:
        model = Training
        fields = ["id", "kind", "title", "start", "hours", "organiser", "attendees", "version"]


router.register(
    "cases",
    viewset(CaseStudy, CaseStudySerializer, filtersets.CaseStudyFilterSet),
)
router.register(
    "case-sessions",
    viewset(
        CaseSession,
        CaseSessionSerializer,
        filtersets.CaseSessionFilterSet,
        CaseSession.objects.prefetch_related("attendees"),
    ),
)
router.register("policies", viewset(Policy, PartyPolicySerializer, filtersets.PolicyFilterSet))
router.register(
    "trainings",
    viewset(
        Training, PartyTrainingSerializer, filtersets.TrainingFilterSet, Training.objects.prefetch_related("attendees")
    ),
)
