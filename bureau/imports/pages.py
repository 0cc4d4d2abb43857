"""The upload and template pages of a registry (ModelViews with the "import" action)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from bureau.imports.checks import UploadRejected, limit
from bureau.imports.columns import columns_for_form
from bureau.imports.reading import data_rows
from bureau.imports.template import template_response
from bureau.imports.writing import import_registry


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件"), help_text=_("按导入模板填写的 .xlsx 文件；第 1 行为表头，第 2 行为填写说明。")
    )


class ImportView(LoginRequiredMixin, View):
    """GET: the upload page with the template link and the columns explained. POST: all or nothing."""

    config = None

    def dispatch(self, request, *args, **kwargs):
        from bureau.generic import deny
        from bureau.scoping import can

        if request.user.is_authenticated and not can(request.user, self.config.model, "add"):
            deny(request, self.config.model)
        return super().dispatch(request, *args, **kwargs)

    def columns(self):
        return columns_for_form(self.config.form, form_kwargs={"user": self.request.user})

    def get(self, request):
        return self.show(UploadForm())

    def show(self, form, errors=(), status=200):
        opts = self.config.model._meta
        return render(
            request=self.request,
            template_name="bureau/import.html",
            context={
                "title": _("Excel 导入：%(name)s") % {"name": opts.verbose_name_plural},
                "opts": opts,
                "form": form,
                "columns": self.columns(),
                "errors": errors,
                "template_url": reverse(self.config.url_name("template")),
                "list_url": reverse(self.config.url_name("list")),
                "max_rows": limit("IMPORT_MAX_ROWS"),
                "sync_max_rows": limit("IMPORT_SYNC_MAX_ROWS"),
            },
            status=status,
        )

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.show(form, status=400)
        upload = form.cleaned_data["file"]
        try:
            if data_rows(upload) > limit("IMPORT_SYNC_MAX_ROWS"):
                # A large file is imported by a background job; its page shows the progress.
                from bureau.jobs import start_import

                return redirect("jobs:detail", pk=start_import(self.config, upload, request).pk)
            created, errors = import_registry(self.config, upload, request.user)
        except UploadRejected as exc:
            form.add_error("file", str(exc))
            return self.show(form, status=400)
        except PermissionDenied:
            from bureau.generic import deny

            deny(request, self.config.model)
        if errors:
            return self.show(form, errors, status=400)
        messages.success(
            request,
            _("已导入 %(n)d 条%(name)s。") % {"n": len(created), "name": self.config.model._meta.verbose_name},
        )
        return HttpResponseRedirect(reverse(self.config.url_name("list")))


class TemplateView(ImportView):
    def get(self, request):
        opts = self.config.model._meta
        title = opts.verbose_name_plural
        return template_response(self.columns(), title, f"{title}导入模板.xlsx")

    def post(self, request):
        return self.http_method_not_allowed(request)
