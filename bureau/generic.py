"""Generic pages for every registry model: per model, a `ModelViews` subclass declares the model,
its form, filter set and list columns; `ModelViews.urls()` gives the list, detail, create, edit,
delete, history and export pages, all scoped through `for_user`.
"""

import datetime
import decimal

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db import connection, models, transaction
from django.db.models import ProtectedError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import get_resolver, path, reverse
from django.utils import dateparse, formats, timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views import View

from bureau import audit, numbers
from bureau.choices import AuditAction
from bureau.imports import pages as import_pages
from bureau.models import AuditEntry, Conflict
from bureau.scoping import can, has_model_perm, refuses_as_missing

REGISTRY = {}  # model -> ModelViews subclass, for navigation and the coverage meta-test


def registry():
    """Every model's ModelViews; loading the URLconf imports every app's views."""
    get_resolver().url_patterns  # noqa: B018
    return REGISTRY


def label_of(model, name, overrides=None):
    if overrides and name in overrides:
        return overrides[name]
    try:
        return model._meta.get_field(name).verbose_name
    except FieldDoesNotExist:
        attr = getattr(model, name, None)
        return getattr(attr, "short_description", None) or getattr(
            getattr(attr, "fget", None), "short_description", name
        )


def display(obj, name):
    """A cell's text: choice labels, related names, yes/no, numbers with their decimals."""
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    if field is not None and field.choices:
        return getattr(obj, f"get_{name}_display")()
    if field is not None and field.many_to_many:
        return "、".join(str(o) for o in getattr(obj, name).all())
    value = getattr(obj, name)
    if callable(value):
        value = value()
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, AbstractBaseUser):
        # A clerk knows colleagues by name, not by their login.
        return value.get_full_name() or value.get_username()
    if isinstance(value, decimal.Decimal | float) or (isinstance(value, int) and _separated(field)):
        return numbers.figure(value, places=getattr(field, "decimal_places", None))
    return moment(value) if isinstance(value, datetime.date) else str(value)


def _separated(field):
    """Whole numbers get thousands separators, but not a year or a floor (`2,022`)."""
    return field is None or not (field.name.endswith("year") or field.name in {"floor", "number", "order"})


def moment(value):
    """A date or time as every page writes it: in local time (TIME_ZONE), in the one format of
    bureau/formats."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.localize(value)


def related_names(model, names):
    """The foreign keys among the list columns, to fetch them in the same query (no N+1)."""
    select, prefetch = [], []
    for name in names:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.many_to_many:
            prefetch.append(name)
        elif field.is_relation and field.many_to_one:
            select.append(name)
    return select, prefetch


class ModelViews:
    """Declarations for one model's pages. Subclass per model and list `urls()` in the app's urls.py."""

    model = None
    form = None
    filterset = None
    columns = ()
    detail_fields = None
    labels = {}
    # Computed columns (properties) and the fields each reads: the export then fetches those
    # fields only, instead of whole rows.
    computed_reads = {}
    select_related = ()
    prefetch_related = ()
    ordering = None
    # The pages this model has; a workflow record may leave out add/edit/delete.
    actions = ("list", "detail", "add", "edit", "delete", "history", "export", "import")
    # Related panels on the detail page: (title, model, foreign key to this model, columns).
    related = ()
    detail_template = "generic/detail.html"

    @classmethod
    def editable(cls, obj):
        """Whether the record may still be edited at all (a published request may not)."""
        return True

    @classmethod
    def history_text(cls, obj, name, value):
        """A stored value of `name` as its history page writes it, where the field alone cannot
        tell (a submission's rows need its request kind's form); None for the field's own way."""
        return None

    @classmethod
    def detail_context(cls, obj, user):
        """Extra context for the detail page (a subclass's figures, findings, actions)."""
        return {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.model is not None:
            REGISTRY[cls.model] = cls

    @classmethod
    def name(cls):
        return cls.model._meta.model_name

    @classmethod
    def url_name(cls, action):
        return f"{cls.model._meta.app_label}:{cls.name()}_{action}"

    @classmethod
    def urls(cls):
        n = cls.name()
        pages = {
            "list": [path(f"{n}/", ListView.as_view(config=cls), name=f"{n}_list")],
            "add": [path(f"{n}/add/", EditView.as_view(config=cls), name=f"{n}_add")],
            "export": [path(f"{n}/export/", ExportView.as_view(config=cls), name=f"{n}_export")],
            "import": [
                path(f"{n}/import/", import_pages.ImportView.as_view(config=cls), name=f"{n}_import"),
                path(f"{n}/template/", import_pages.TemplateView.as_view(config=cls), name=f"{n}_template"),
            ],
            "detail": [path(f"{n}/<int:pk>/", DetailView.as_view(config=cls), name=f"{n}_detail")],
            "edit": [path(f"{n}/<int:pk>/edit/", EditView.as_view(config=cls), name=f"{n}_edit")],
            "delete": [path(f"{n}/<int:pk>/delete/", DeleteView.as_view(config=cls), name=f"{n}_delete")],
            "history": [path(f"{n}/<int:pk>/history/", HistoryView.as_view(config=cls), name=f"{n}_history")],
        }
        return [p for action in cls.actions for p in pages[action]]

    @classmethod
    def has(cls, action):
        return action in cls.actions

    @classmethod
    def fields_for_detail(cls):
        if cls.detail_fields is not None:
            return cls.detail_fields
        skip = {"id", "created", "updated", "version"}
        return [
            f.name for f in cls.model._meta.get_fields() if f.concrete and f.name not in skip and not f.auto_created
        ]

    @classmethod
    def queryset(cls, user, action, names=None):
        select, prefetch = related_names(cls.model, names if names is not None else cls.columns)
        qs = cls.model.objects.for_user(user, action)
        qs = qs.select_related(*select, *cls.select_related).prefetch_related(*prefetch, *cls.prefetch_related)
        return qs.order_by(*cls.ordering) if cls.ordering else qs

    @classmethod
    def filtered(cls, request):
        qs = cls.queryset(request.user, "view")
        if cls.filterset is None:
            return None, qs
        fs = cls.filterset(request.GET or None, queryset=qs, request=request)
        return fs, fs.qs


class ConfigView(LoginRequiredMixin, View):
    config = None
    action = "view"

    def allowed(self, user):
        return can(user, self.config.model, self.action)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.allowed(request.user):
            if "pk" in kwargs and refuses_as_missing(request.user, self.config.model):
                # A record out of the user's scope is 404, as on the pages they may use: a 403
                # would tell that another unit's record exists.
                self.get_object("view")
            deny(request, self.config.model)
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, action=None):
        config = self.config
        names = config.fields_for_detail() if action == "view" else ()
        try:
            return config.queryset(self.request.user, action or self.action, names).get(pk=self.kwargs["pk"])
        except config.model.DoesNotExist:
            # Another unit's record answers exactly like a missing one.
            if config.model._base_manager.filter(pk=self.kwargs["pk"]).exists():
                audit.record(
                    AuditAction.DENIED, model=config.model, object_id=str(self.kwargs["pk"]), user=self.request.user
                )
            raise Http404 from None

    def context(self, **extra):
        model = self.config.model
        user = self.request.user
        return {
            "config": self.config,
            "opts": model._meta,
            "title": model._meta.verbose_name_plural,
            "can_add": self.config.has("add") and can(user, model, "add"),
            "list_url": reverse(self.config.url_name("list")),
            "add_url": reverse(self.config.url_name("add")) if self.config.has("add") else "",
            "export_url": reverse(self.config.url_name("export")) if self.config.has("export") else "",
        } | extra


def deny(request, model=None):
    audit.record(
        AuditAction.DENIED,
        model=model,
        object_repr=request.path[:200],
        user=request.user if request.user.is_authenticated else None,
    )
    raise PermissionDenied


class ListView(ConfigView):
    def get(self, request):
        config = self.config
        fs, qs = config.filtered(request)
        sort = request.GET.get("sort", "")
        if sort.lstrip("-") in {c for c in config.columns if _is_field(config.model, c)}:
            qs = qs.order_by(sort, "pk")
        elif not qs.ordered:
            qs = qs.order_by("pk")
        size = page_size(request)
        page = Pager(qs, size).get_page(request.GET.get("page"))
        if fs is not None:
            Pager.lighten(fs.form)
        columns = [
            (c, label_of(config.model, c, config.labels), _is_field(config.model, c), _is_number(config.model, c))
            for c in config.columns
        ]
        numeric = [_is_number(config.model, c) for c in config.columns]
        rows = [
            (obj, list(zip((display(obj, c) for c in config.columns), numeric, strict=True)))
            for obj in page.object_list
        ]
        query = request.GET.copy()
        query.pop("page", None)
        sized = query.copy()
        sized.pop("size", None)
        return render(
            request,
            "generic/list.html",
            self.context(
                filter=fs,
                page=page,
                sizes=[(n, n == size) for n in PAGE_SIZES] if page.paginator.count > PAGE_SIZES[0] else (),
                size_query=sized.urlencode(),
                columns=columns,
                rows=rows,
                sort=sort,
                query=query.urlencode(),
                can_import=config.has("import") and can(request.user, config.model, "add"),
                import_url=reverse(config.url_name("import")) if config.has("import") else "",
            ),
        )


PAGE_SIZES = (20, 50, 100, 200)


def page_size(request, default=50):
    """The rows per page the user chose (?size=), among those offered."""
    size = request.GET.get("size", "")
    return int(size) if size.isdecimal() and int(size) in PAGE_SIZES else default


class Pager(Paginator):
    """Pages of a list without counting a large table on every request: on PostgreSQL a list the
    planner estimates at more than ESTIMATE_ABOVE rows shows the estimate (and says so); smaller
    ones, and every list on other databases, are counted."""

    ESTIMATE_ABOVE = 20_000
    estimated = False

    @cached_property
    def count(self):
        query = self.object_list
        if connection.vendor == "postgresql" and hasattr(query, "explain"):
            import json

            explained = query.order_by().explain(format="json")
            # A filter that can match nothing (a role scoped to none of these rows) is never sent
            # to the database: EXPLAIN then says nothing, and there is nothing to count.
            if not explained:
                return 0
            plan = json.loads(explained)[0]["Plan"]
            if plan["Plan Rows"] > self.ESTIMATE_ABOVE:
                self.estimated = True
                return int(plan["Plan Rows"])
        return super().count

    LARGE_CHOICES = 300

    @classmethod
    def lighten(cls, form):
        """A filter choosing among thousands (a city's vehicles) takes the record's number instead
        of rendering thousands of options on every page."""
        from django import forms

        for field in form.fields.values():
            single = isinstance(field, forms.ModelChoiceField) and not isinstance(field, forms.ModelMultipleChoiceField)
            if single and field.queryset is not None and field.queryset[cls.LARGE_CHOICES :].exists():
                field.widget = forms.NumberInput(attrs={"placeholder": _("编号"), "min": 1})


def _is_number(model, name):
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    number_types = (models.DecimalField, models.IntegerField, models.FloatField)
    return isinstance(field, number_types) and not field.choices and not field.primary_key


def _is_field(model, name):
    try:
        model._meta.get_field(name)
        return True
    except FieldDoesNotExist:
        return False


class DetailView(ConfigView):
    def get(self, request, pk):
        obj = self.get_object("view")
        user = request.user
        model = self.config.model
        fields = [
            (label_of(model, n, self.config.labels), _detail_value(obj, n)) for n in self.config.fields_for_detail()
        ]
        editable = (
            self.config.has("edit")
            and self.config.editable(obj)
            and model.objects.for_user(user, "change").filter(pk=obj.pk).exists()
        )
        removable = self.config.has("delete") and model.objects.for_user(user, "delete").filter(pk=obj.pk).exists()
        panels = []
        for title, rel_model, fk, columns in self.config.related:
            select, prefetch = related_names(rel_model, columns)
            rel_qs = rel_model.objects.for_user(user, "view").filter(**{fk: obj}).select_related(*select)
            items = list(rel_qs.prefetch_related(*prefetch)[:200])
            panels.append(
                {
                    "title": title,
                    "columns": [(label_of(rel_model, c), _is_number(rel_model, c)) for c in columns],
                    "rows": [(o, [(display(o, c), _is_number(rel_model, c)) for c in columns]) for o in items],
                }
            )
        return render(
            request,
            self.config.detail_template,
            self.context(
                object=obj,
                panels=panels,
                fields=fields,
                can_change=editable,
                can_delete=removable,
                can_history=has_model_perm(user, model, "view"),
                edit_url=reverse(self.config.url_name("edit"), args=[obj.pk]) if editable else "",
                delete_url=reverse(self.config.url_name("delete"), args=[obj.pk]) if removable else "",
                history_url=reverse(self.config.url_name("history"), args=[obj.pk]),
                title=str(obj),
                **self.config.detail_context(obj, user),
            ),
        )


def _detail_value(obj, name):
    if name == "id_number" and hasattr(obj, "id_number_masked"):
        return obj.id_number_masked or "—"
    value = display(obj, name)
    target = getattr(obj, name, None)
    if isinstance(target, models.Model) and hasattr(target, "get_absolute_url") and target.get_absolute_url():
        return format_html('<a href="{}">{}</a>', target.get_absolute_url(), value)
    return value


class EditView(ConfigView):
    def dispatch(self, request, *args, **kwargs):
        self.action = "change" if "pk" in kwargs else "add"
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, instance):
        data = self.request.POST if self.request.method == "POST" else None
        files = self.request.FILES if self.request.method == "POST" else None
        initial = dict(self.request.GET.items()) if instance.pk is None else None
        return self.config.form(data, files, instance=instance, initial=initial, user=self.request.user)

    def instance(self):
        return self.get_object("change") if "pk" in self.kwargs else self.config.model()

    def get(self, request, pk=None):
        obj = self.instance()
        return self.show(self.get_form(obj), obj)

    def show(self, form, obj, status=200):
        title = (
            (_("修改：%(obj)s") % {"obj": obj}) if obj.pk else (_("新增%(name)s") % {"name": obj._meta.verbose_name})
        )
        return render(
            self.request, "generic/form.html", self.context(form=form, object=obj, title=title), status=status
        )

    def post(self, request, pk=None):
        obj = self.instance()
        form = self.get_form(obj)
        if not form.is_valid():
            # As the API's 428: a form that does not say which version it edits is not saved.
            return self.show(form, obj, status=428 if form.has_error(NON_FIELD_ERRORS, "version_required") else 400)
        try:
            with transaction.atomic():
                saved = form.save()
                # A record saved outside the user's reach is rolled back, whatever the form allowed.
                if not self.config.model.objects.for_user(request.user, self.action).filter(pk=saved.pk).exists():
                    raise PermissionDenied
        except Conflict:
            form.add_error(None, _("保存失败：此记录在您编辑期间已被他人修改。请刷新页面查看最新内容后重新修改。"))
            return self.show(form, obj, status=409)
        except PermissionDenied:
            deny(request, self.config.model)
        messages.success(request, _("已保存：%(obj)s") % {"obj": saved})
        return HttpResponseRedirect(saved.get_absolute_url() or reverse(self.config.url_name("list")))


class DeleteView(ConfigView):
    action = "delete"

    def get(self, request, pk):
        obj = self.get_object()
        return render(
            request, "generic/confirm_delete.html", self.context(object=obj, title=_("删除：%(obj)s") % {"obj": obj})
        )

    def post(self, request, pk):
        obj = self.get_object()
        try:
            with transaction.atomic():
                obj.delete()
        except ProtectedError as exc:
            names = "、".join(sorted({str(o._meta.verbose_name) for o in exc.protected_objects}))
            messages.error(request, _("不能删除：仍有%(names)s引用此记录。") % {"names": names})
            return HttpResponseRedirect(obj.get_absolute_url())
        messages.success(request, _("已删除：%(obj)s") % {"obj": obj})
        return HttpResponseRedirect(reverse(self.config.url_name("list")))


class HistoryView(ConfigView):
    def allowed(self, user):
        return has_model_perm(user, self.config.model, "view")

    def get(self, request, pk):
        obj = self.get_object("view")
        from django.contrib.contenttypes.models import ContentType

        entries = list(
            AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(self.config.model), object_id=str(obj.pk)
            ).select_related("user")[:500]
        )
        readable_changes(self.config, obj, entries, request.user)
        return render(
            request,
            "generic/history.html",
            self.context(object=obj, entries=entries, title=_("变更记录：%(obj)s") % {"obj": obj}),
        )


def readable_changes(config, obj, entries, user):
    """Sets `entry.rows` to each change as a person reads it: (field's verbose name, before, after),
    the values as the pages show them (labels, names, local time), not as the audit stores them."""
    opts = config.model._meta
    fields = {f.attname: f for f in opts.concrete_fields} | {f.name: f for f in opts.many_to_many}
    names = {}  # field -> {id: name}, one query per related field over all entries
    for key, field in fields.items():
        if field.many_to_one or field.many_to_many:
            ids = {i for e in entries for v in e.changes.get(key, ()) for i in _ids(e.changes[key], v)}
            if ids:
                related = field.related_model.objects
                related = related.for_user(user, "view") if hasattr(related, "for_user") else related.all()
                names[key] = {o.pk: str(o) for o in related.filter(pk__in=ids)}
    for e in entries:
        e.rows = []
        for key, change in e.changes.items():
            label = fields[key].verbose_name if key in fields else key
            if isinstance(change, dict):  # many-to-many: {"added"/"removed"/"cleared": [ids]}
                listed = {
                    verb: "、".join(names.get(key, {}).get(i, f"#{i}") for i in ids) for verb, ids in change.items()
                }
                before = _("全部") if "cleared" in change else listed.get("removed") or "—"
                e.rows.append((label, before, listed.get("added") or "—"))
            else:
                e.rows.append((label, *(_stored(config, obj, fields.get(key), key, v, names.get(key)) for v in change)))


def _ids(change, item):
    """The record ids in one side of a change (a foreign key) or one verb's list (many-to-many)."""
    if isinstance(change, dict):
        return [i for i in change[item] if isinstance(i, int)]
    return [item] if isinstance(item, int) and not isinstance(item, bool) else []


def _stored(config, obj, field, name, value, names):
    """A value as the audit stored it (bureau.audit.plain), written as the pages write it."""
    text = config.history_text(obj, name, value)
    if text is not None or field is None or value is None or value == "":
        return _text(value) if text is None else text
    if names is not None:
        return names.get(value, f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, str) and isinstance(field, models.DateTimeField):
        value = dateparse.parse_datetime(value) or value
    elif isinstance(value, str) and isinstance(field, models.DateField):
        value = dateparse.parse_date(value) or value
    return _text(value)


def _text(value):
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return moment(value) if isinstance(value, datetime.date) else str(value)


class ExportView(ConfigView):
    def get(self, request):
        from bureau.excel import export

        return export(self.config, request)
