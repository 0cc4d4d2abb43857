"""The party annual tables: organisational life per branch, rectification per item, the law quiz
per unit. Nothing from the confidential records: no clue or archive reaches a workbook."""

import datetime

from django.db.models import Count
from django.utils import timezone

from bureau.reports import report
from party import organisation, quiz
from party.choices import Light
from party.models import Branch, MeetingKind, QuizCampaign, Rectification


def _as_of(year):
    """Periods count as ended up to today, or the whole year once it is over."""
    return min(timezone.localdate(), datetime.date(year, 12, 31) + datetime.timedelta(days=1))


@report("party.meetings", "党支部组织生活开展情况表", order=60)
def meetings(out, year, units):
    kinds = list(MeetingKind.objects.all())
    branches = list(
        Branch.objects.filter(unit__in=units)
        .select_related("unit")
        .annotate(n_members=Count("members"))
        .order_by("unit__name", "name")
    )
    found = organisation.slots(branches, kinds, year)
    today = _as_of(year)
    out.title(f"{year} 年度党支部组织生活开展情况表")
    out.note("每类组织生活填“已开展期数/应开展期数”（只计已结束的期间）。")
    out.header(["单位", "党支部", "党员数", *[k.name for k in kinds], "按期开展率（%）"])
    for branch in branches:
        cells, held_all, due_all = [], 0, 0
        for kind in kinds:
            _frequency, year_slots = found[(branch.pk, kind.pk)]
            ended = [s for s in year_slots if s.end < today]
            held = sum(bool(s.held) for s in ended)
            cells.append(f"{held}/{len(ended)}" if year_slots else "—")
            held_all, due_all = held_all + held, due_all + len(ended)
        out.row([branch.unit.name, branch.name, branch.n_members, *cells, organisation.share(held_all, due_all)])


@report("party.rectification", "巡视巡察问题整改情况表", order=61)
def rectification(out, year, units):
    items = (
        Rectification.objects.filter(round__started_on__year=year, unit__in=units)
        .select_related("round", "unit", "person")
        .order_by("round__started_on", "number")
    )
    today = _as_of(year) - datetime.timedelta(days=1)
    out.title(f"{year} 年度巡视巡察问题整改情况表")
    out.header(["轮次", "编号", "反馈问题", "责任单位", "责任处室", "责任人", "整改期限", "延期至", "状态", "预警"])
    counts = dict.fromkeys(Light, 0)
    closed = 0
    for item in items.iterator(chunk_size=2000):
        light = item.light(today)
        if light is None:
            closed += 1
        else:
            counts[light] += 1
        out.row(
            [
                item.round.name,
                item.number,
                item.problem,
                item.unit.name,
                item.division,
                item.person.name if item.person else "",
                item.deadline,
                item.extended_to,
                item.get_state_display(),
                str(light.label) if light else "已销号",
            ]
        )
    out.total(["合计", f"已销号 {closed}", *[f"{light.label} {counts[light]}" for light in Light]])


QUIZ_FIGURES = ("staff", "studied", "examined", "excellent", "study_rate", "exam_rate", "excellent_rate")


QUIZ_FIGURES = ("staff", "studied", "examined", "excellent", "study_rate", "exam_rate", "excellent_rate")


@report("party.quiz", "法宣在线学法考试情况表", order=62)
def quiz_rates(out, year, units):
    campaign = QuizCampaign.objects.filter(year=year).order_by("-pk").first()
    out.title(f"{year} 年度法宣在线学法考试情况表" + (f"（{campaign.title}）" if campaign else ""))
    if campaign is None:
        out.note("本年度尚无学法考试。")
        return
    out.note(
        f"优秀分数线 {campaign.excellent_score} 分；目标：参学率 {campaign.study_target}%，"
        f"参考率 {campaign.exam_target}%，优秀率 {campaign.excellent_target}%。"
        + (f"本局在 {campaign.ranked_units} 家市直单位中排名第 {campaign.rank}。" if campaign.rank else "")
    )
    out.header(["单位", "人数", "参学", "参考", "优秀", "参学率（%）", "参考率（%）", "优秀率（%）"])
    for r in quiz.unit_rates(campaign, units):
        out.row([r["unit"].name, *(r[k] for k in QUIZ_FIGURES)])
    total = quiz.total_rates(campaign, units)
    out.total(["合计", *(total[k] for k in QUIZ_FIGURES)])
