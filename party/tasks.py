"""Reminders of organisational life still missing before its period ends."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import timezone

from bureau.tasks import reminder_due
from party.models import Branch
from party.organisation import missing_now


@shared_task
def remind_missing_meetings(today=None):
    """E-mail each branch secretary, on the reminder days before a period ends, the meetings their
    branch has not yet held in it. Returns the number of e-mails."""
    today = timezone.localdate() if today is None else timezone.datetime.fromisoformat(today).date()
    branches = Branch.objects.select_related("secretary__user")
    by_branch = {}
    for branch, kind, slot in missing_now(branches, today):
        if reminder_due(slot.end, today):
            by_branch.setdefault(branch, []).append((kind, slot))
    messages = []
    for branch, missing in by_branch.items():
        user = branch.secretary.user if branch.secretary else None
        if user is None or not user.email:
            continue
        lines = [f"- {kind}：本期截至 {slot.end:%Y-%m-%d}，尚未召开" for kind, slot in missing]
        body = f"{branch.secretary.name}同志：\n\n{branch}以下组织生活本期尚未开展：\n" + "\n".join(lines)
        body += f"\n\n请及时安排并在系统中登记：{settings.PORTAL_URL}{branch.get_absolute_url()}\n\n机关党委"
        messages.append((f"【组织生活提醒】{branch}有 {len(lines)} 项本期未开展", body, None, [user.email]))
    send_mass_mail(messages, fail_silently=False)
    return len(messages)
