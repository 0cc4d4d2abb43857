"""Excel in: import templates and all-or-nothing uploads for registries and request kinds.
(Being written: see the brief of the Excel work.)"""

from django.http import Http404
from django.views import View


class ImportView(View):
    config = None

    def dispatch(self, request, *args, **kwargs):
        raise Http404


class TemplateView(ImportView):
    pass
