from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bureau import audit, generic
from bureau.choices import AuditAction
from party import filtersets, forms
from party.models import Archive, ArchiveEntry, Clue, GrantError, grant, record_read, revoke


class ExportRead(generic.ExportView):
    """A confidential export is a read of every row in it."""

    def get(self, request):
        model = self.config.model
        audit.record(
            AuditAction.ACTION,
            model=model,
            object_repr=str(model._meta.verbose_name_plural),
            changes={"read": [None, _("导出")]},
        )
        return super().get(request)


class ConfidentialViews(generic.ModelViews):
    """The pages of a record reached through grants: every detail page read is audited, the Excel
    import is left out (a file's rows would be filed with nobody holding them)."""

    actions = ("list", "detail", "add", "edit", "delete", "history", "export")
    detail_template = "party/granted_detail.html"

    @classmethod
    def urls(cls):
        n = cls.name()
        patterns = [p for p in super().urls() if p.name != f"{n}_export"]
        return [
            *patterns,
            path(f"{n}/export/", ExportRead.as_view(config=cls), name=f"{n}_export"),
        ]

    @classmethod
    def detail_context(cls, obj, user):
        record_read(obj, _("详情页"), user)
        return {}


class GrantedViews(ConfidentialViews):
    """Records with their own grants: the detail page lists who holds it, and a holder with the
    right to change it may grant it to, or take it from, other discipline staff."""

    @classmethod
    def urls(cls):
        n = cls.name()
        return [*super().urls(), path(f"{n}/<int:pk>/grants/", grants, {"config": cls}, name=f"{n}_grants")]

    @classmethod
    def detail_context(cls, obj, user):
        holder = cls.model.objects.for_user(user, "change").filter(pk=obj.pk).exists()
        return super().detail_context(obj, user) | {
            "grantees": [g.user for g in obj.grantees()],
            "grant_form": forms.GrantForm() if holder else None,
            "grants_url": reverse(cls.url_name("grants"), args=[obj.pk]),
        }


@login_required
@require_POST
def grants(request, pk, config):
    obj = config.model.objects.for_user(request.user, "change").filter(pk=pk).first()
    if obj is None:
        raise Http404
    form = forms.GrantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择纪检工作人员。"))
    elif request.POST.get("revoke"):
        revoke(obj, form.cleaned_data["user"], by=request.user)
        messages.success(request, _("已取消授权：%(user)s") % {"user": form.cleaned_data["user"]})
    else:
        try:
            grant(obj, form.cleaned_data["user"], by=request.user)
        except GrantError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已授权：%(user)s") % {"user": form.cleaned_data["user"]})
    return HttpResponseRedirect(obj.get_absolute_url())


class ClueViews(GrantedViews):
    model = Clue
    form = forms.ClueForm
    filterset = filtersets.ClueFilterSet
    columns = ("number", "received_on", "source", "unit", "state", "disposal", "form")
    select_related = ("handler",)


class ArchiveViews(GrantedViews):
    model = Archive
    form = forms.ArchiveForm
    filterset = filtersets.ArchiveFilterSet
    columns = ("person", "opened_on")
    related = ((gettext_lazy("档案记录"), ArchiveEntry, "archive", ("date", "kind", "summary", "amount")),)


class ArchiveEntryViews(ConfidentialViews):
    model = ArchiveEntry
    form = forms.ArchiveEntryForm
    filterset = filtersets.ArchiveEntryFilterSet
    columns = ("archive", "kind", "date", "amount")
    select_related = ("archive__person",)
