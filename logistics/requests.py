"""The satisfaction survey as a data request: each unit served scores the survey's items 1-5 and
comments; the data-request engine reminds those who have not answered; approval writes the
unit's answers (replacing an earlier approval's), and every low score opens a follow-up."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bureau.requests import Flag, RequestKind, RowForm, register

KIND = "logistics.satisfaction"


def survey_of(submission):
    from logistics.models import Survey

    return Survey.objects.filter(request_id=submission.request_id).first()


class AnswerRow(RowForm):
    item = forms.CharField(label=_("评价项目"), max_length=60)
    score = forms.IntegerField(
        label=_("评分（1-5）"),
        min_value=1,
        max_value=5,
        error_messages={"min_value": _("评分须为 1-5 分。"), "max_value": _("评分须为 1-5 分。")},
    )
    comment = forms.CharField(label=_("意见建议"), max_length=500, required=False)

    @classmethod
    def clean_rows(cls, submission, rows):
        survey = survey_of(submission)
        items = set(survey.question_list()) if survey else set()
        errors, seen = [], set()
        label = str(cls.base_fields["item"].label)
        for number, row in enumerate(rows, 1):
            if items and row["item"] not in items:
                errors.append((number, label, _("问卷中没有这一项：%(item)s") % {"item": row["item"]}))
            if row["item"] in seen:
                errors.append((number, label, _("同一项目评价了两次。")))
            seen.add(row["item"])
        return errors


def check_unanswered(submission, rows):
    survey = survey_of(submission)
    missing = set(survey.question_list()) - {r["item"] for r in rows} if survey else set()
    if missing:
        yield Flag(_("未评价的项目：%(items)s") % {"questions": "、".join(sorted(missing))})


def write_answers(submission, rows):
    from logistics.models import SurveyAnswer

    survey = survey_of(submission)
    if survey is None:
        return
    SurveyAnswer.objects.filter(survey=survey, unit_id=submission.unit_id).delete()
    for row in rows:
        SurveyAnswer(
            survey=survey, unit_id=submission.unit_id, item=row["item"], score=row["score"], comment=row["comment"]
        ).save()


SATISFACTION = register(
    RequestKind(
        key=KIND,
        title=_("服务对象满意度调查"),
        area="logistics",
        row_form=AnswerRow,
        checks=(check_unanswered,),
        on_approve=write_answers,
        frequencies=("annual",),
        description=_("服务对象单位对后勤服务各项目按 1-5 分评价并提出意见；低分评价转为跟进事项。"),
        extra_rows=0,
    )
)
