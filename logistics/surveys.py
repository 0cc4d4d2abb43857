"""Sending a satisfaction survey to the units it serves, as a data request."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bureau import workflow
from bureau.models import DataRequest, Submission
from logistics.models import Survey
from logistics.requests import KIND


@transaction.atomic
def send(survey, user, deadline, units):
    """Publish the survey to `units` with its items as the rows to score; once only."""
    units = list(units)
    if not units:
        raise ValidationError(_("请选择要调查的服务对象单位。"))
    request = DataRequest.objects.create(
        kind=KIND,
        title=survey.title,
        year=survey.year,
        frequency="annual",
        deadline=deadline,
        note=_("请对以下服务项目按 1-5 分评价（5 非常满意，1 非常不满意），并提出意见建议。"),
        created_by=user,
    )
    request.units.set(units)
    if not Survey.objects.filter(pk=survey.pk, request=None).update(request=request):
        raise ValidationError(_("此问卷已经发送。"))
    workflow.publish(request, user)
    rows = [{"item": item, "score": "", "comment": ""} for item in survey.question_list()]
    Submission.objects.filter(request=request).update(rows=rows)
    survey.refresh_from_db()
    return request
