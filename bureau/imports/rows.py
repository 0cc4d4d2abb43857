"""Row validation: every row of an upload by the same form as a single record, then the checks
that need the whole file (uniqueness). Errors name the row as Excel numbers it, the column by its
Chinese header, and the reason."""

import datetime
from dataclasses import dataclass

from django import forms
from django.db import models
from django.db.models import signals
from django.db.models.base import ModelState
from django.utils.translation import gettext as _

from bureau.excel import FORMULA_STARTS, PROGRESS_EVERY
from bureau.imports.checks import HEADER_ROW, NOTES_ROW, UploadRejected, limit
from bureau.imports.columns import LookupField, columns_for_form, flat_choices, lookup_index
from bureau.imports.reading import read_sheet

NOTES_MARK = "【"  # every cell of the template's notes row starts with it
TRUE_WORDS = {"是", "true", "1", "y", "yes", "√", "✓", "对"}
FALSE_WORDS = {"否", "false", "0", "n", "no", "×", "不"}


@dataclass(frozen=True)
class RowError:
    row: int  # as Excel numbers it
    column: str  # the Chinese header; "" for the whole row
    message: str


@dataclass
class Row:
    number: int
    data: object  # the form's cleaned_data, or what the caller's `keep(form)` keeps of it


def parse_upload(uploaded_file, form_class, form_kwargs=None, columns=None, allow_csv=False):
    """Validate every row of an upload with `form_class` (one form per row, built with
    `form_kwargs`). Returns (cleaned_data dicts, [RowError]). Raises UploadRejected."""
    rows, errors = validate_upload(uploaded_file, form_class, form_kwargs, columns, allow_csv)
    return [r.data for r in rows], errors


def validate_upload(
    uploaded_file, form_class, form_kwargs=None, columns=None, allow_csv=False, keep=None, progress=None
):
    """As parse_upload; `keep(form)` chooses what is kept of a valid row, `progress(rows read)` is
    called every few thousand rows."""
    lines = read_sheet(uploaded_file, allow_csv)
    form_kwargs = form_kwargs or {}
    if columns is None:
        columns = columns_for_form(form_class, form_kwargs=form_kwargs)
    row_form = _row_form(form_class, form_kwargs, columns)
    positions, errors = _header(lines, columns)
    if errors:
        return [], errors
    cells = _cell_reader(row_form, positions, columns)
    rows = []
    for number, values in _data_lines(lines):
        _check_count(len(rows) + len(errors))
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number)
        data, cell_errors = cells(number, values)
        form = _rebind(row_form, data)
        if form.is_valid() and not cell_errors:
            rows.append(Row(number, keep(form) if keep else form.cleaned_data))
        else:
            errors.extend(_row_errors(number, form, columns, cell_errors))
    return rows, errors


def _row_form(form_class, form_kwargs, columns):
    """The one form every row is validated by (see _rebind), its dropdowns read once for the
    whole file: related records looked up by name among the user's choices, and each dropdown's
    answers remembered per cell value."""
    lookups = {c.name for c in columns if c.kind == "lookup"}
    form = _import_form(form_class, lookups)(data={}, **form_kwargs)
    for name in lookups:
        # The dropdown as the form scoped it for this user.
        field = form.fields[name]
        form.fields[name] = LookupField(field, lookup_index(field.queryset))
    for column in columns:
        if column.kind in ("choice", "lookup"):
            field = form.fields[column.name]
            field.clean = _remembering(field.clean)
    return form


def _header(lines, columns):
    """([(position, column)], errors) of the header row."""
    header = next(lines, None)
    if header is None:
        raise UploadRejected(_("文件中没有数据。"))
    return _match_header(header[1], columns)


def _data_lines(lines):
    """The rows below the header, less the template's notes row and blank rows."""
    for number, values in lines:
        if number == NOTES_ROW and all(str(v).startswith(NOTES_MARK) for v in values if v not in (None, "")):
            continue
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        yield number, values


def _check_count(count):
    if count >= limit("IMPORT_MAX_ROWS"):
        raise UploadRejected(_("行数超过上限 %(max)d 行，请分批导入。") % {"max": limit("IMPORT_MAX_ROWS")})


def _cell_reader(row_form, positions, columns):
    """(row number, cell values) → (the row's form data, errors of cells that could not be read).
    Each cell becomes what a browser would post; an empty cell means the blank form's initial value."""
    converters = [(i, c, _converter(c, row_form.fields[c.name])) for i, c in positions]
    defaults = {c.name: _default(row_form, c) for c in columns}

    def read(number, values):
        data, errors = dict(defaults), []
        for i, column, convert in converters:
            value = values[i] if i < len(values) else None
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            try:
                data[column.name] = convert(value)
            except forms.ValidationError as exc:
                errors.append(RowError(number, column.label, " ".join(exc.messages)))
                data.pop(column.name, None)
        return data, errors

    return read


def _row_errors(number, form, columns, cell_errors):
    """Every problem of the row at once; a cell that could not be read is reported once."""
    unreadable = {e.column for e in cell_errors}
    return cell_errors + [e for e in _form_errors(number, form, columns) if e.column not in unreadable]


def _match_header(header, columns):
    by_label = {c.label: c for c in columns} | {c.name: c for c in columns}
    positions, errors, seen = [], [], set()
    for i, text in enumerate(header):
        text = str(text or "").strip().rstrip("*＊").strip()
        if not text:
            continue
        column = by_label.get(text)
        if column is None:
            errors.append(RowError(HEADER_ROW, text, _("未知的列，请使用导入模板的表头。")))
        elif column.name in seen:
            errors.append(RowError(HEADER_ROW, text, _("此列重复。")))
        else:
            seen.add(column.name)
            positions.append((i, column))
    errors.extend(
        RowError(HEADER_ROW, c.label, _("缺少此必填列。")) for c in columns if c.required and c.name not in seen
    )
    return positions, errors


def _unquote(text):
    """Our exports write a leading apostrophe before text that Excel could run as a formula."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _as_text(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed as a number (e.g. 420102…) must not come back as 4.2e17
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    return _unquote(str(value).strip())


def _converter(column, field):
    """Cell value → form data value, as a browser would post it."""
    if column.kind == "bool":

        def convert(value):
            word = str(value).strip().lower() if not isinstance(value, bool) else ("true" if value else "false")
            if word in TRUE_WORDS | {"true"}:
                return "true"
            if word in FALSE_WORDS | {"false"}:
                return "false"
            raise forms.ValidationError(_("请填写“是”或“否”。"))

        return convert
    if column.kind == "choice":
        by_label = {str(label): value for value, label in flat_choices(field)}
        return lambda value: by_label.get(_as_text(value), _as_text(value))
    if column.kind in ("date", "number"):
        return lambda value: value if not isinstance(value, str) else _as_text(value)
    return _as_text


def _default(form, column):
    """An empty cell means what an untouched field of the blank form means (its initial value)."""
    if column.kind == "lookup":
        return ""
    value = form.get_initial_for_field(form.fields[column.name], column.name)
    if column.kind == "bool":
        return "true" if value else "false"
    return "" if value is None else value


def _remembering(clean):
    """A dropdown field's `clean`, remembered per cell value: the same few labels (units, ranks)
    repeat down a file, and cleaning one depends on nothing but the value and the choices, which
    are fixed for the file. Errors and lists are not remembered."""
    results = {}

    def cached(value):
        try:
            return results[value]
        except KeyError:
            pass
        except TypeError:  # an unhashable value
            return clean(value)
        result = clean(value)
        if not isinstance(result, list) and len(results) < 10_000:
            results[value] = result
        return result

    return cached


def _rebind(form, data):
    """The one row form, bound to the next row. Building a form per row would deep-copy every
    field and build its bound fields each time; a form's `__init__` depends on its user and
    instance, not on the row, so one form is re-bound instead, with a fresh instance per row and
    nothing kept from the previous row (errors, cleaned data, changed fields)."""
    form.data = data
    form.is_bound = True
    form._errors = None
    form.__dict__.pop("changed_data", None)
    if isinstance(form, forms.ModelForm):
        form.instance = _blank(form._meta.model, form.__dict__.setdefault("_blank", {}))
    return form


def _blank(model, cache):
    """A new instance as `model()` builds it, copied from one built once per file: Model.__init__
    per row cost as much as validating a field. Callable defaults are called again for each copy
    (no row shares a mutable default); a model with init signals is built the ordinary way."""
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model()
    if not cache:
        cache["values"] = model().__dict__
        cache["callable"] = [f for f in model._meta.concrete_fields if f.has_default() and callable(f.default)]
    obj = model.__new__(model)
    obj.__dict__ = cache["values"].copy()
    obj._state = ModelState()
    for f in cache["callable"]:
        obj.__dict__[f.attname] = f.get_default()
    return obj


def _import_form(form_class, lookups):
    """The form as it validates one imported row. A model form skips the checks that would
    query per row and that the import makes for the whole file instead: uniqueness (`check_unique`)
    and the existence of related records (looked up among the user's choices, loaded once)."""
    if not issubclass(form_class, forms.ModelForm):
        return form_class

    model = form_class._meta.model
    in_bulk = [c for c in model._meta.constraints if plain_unique(c)]

    def row_constraints(instance):
        return [
            (cls, [c for c in found if c not in in_bulk]) for cls, found in type(instance).get_constraints(instance)
        ]

    class ImportForm(form_class):
        checked_in_bulk = True

        def validate_unique(self):
            pass

        def _get_validation_exclusions(self):
            return super()._get_validation_exclusions() | lookups

        def _post_clean(self):
            # The model's full_clean would query once per row for each plain unique constraint:
            # check_unique asks for the whole file. Other constraints are still checked per row.
            if in_bulk:
                self.instance.get_constraints = lambda: row_constraints(self.instance)
            super()._post_clean()

    ImportForm.__name__ = ImportForm.__qualname__ = form_class.__name__
    return ImportForm


def _form_errors(number, form, columns):
    labels = {c.name: c.label for c in columns}
    errors = []
    for name, messages_ in form.errors.items():
        column = labels.get(name, "" if name == "__all__" else str(form.fields[name].label or name))
        errors.extend(RowError(number, column, str(m)) for m in messages_)
    return errors


def plain_unique(constraint):
    """A unique constraint on fields alone, which check_unique can test for a whole file at once."""
    c = constraint
    return isinstance(c, models.UniqueConstraint) and c.fields and c.condition is None and not c.expressions


def unique_sets(model):
    """Field-name tuples that must be unique: unique fields, unique_together, plain UniqueConstraints."""
    sets = [(f.name,) for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    sets += [tuple(t) for t in model._meta.unique_together]
    sets += [tuple(c.fields) for c in model._meta.constraints if plain_unique(c)]
    return sets


def check_unique(records, rows, labels):
    """Duplicates within the file and against the database, with a query per 1,000 values rather
    than per row. `labels` maps field names to the column headers."""
    model = records.model
    errors = []
    for names in unique_sets(model):
        attnames = [model._meta.get_field(n).attname for n in names]
        # The last field tells the rows apart (a room's number within its building).
        column = labels.get(names[-1], str(model._meta.get_field(names[-1]).verbose_name))
        what = "、".join(labels.get(n, str(model._meta.get_field(n).verbose_name)) for n in names)
        first = {}
        for row in rows:
            key = tuple(records.value(row, a) for a in attnames)
            if any(v is None or v == "" for v in key):
                continue
            if key in first:
                errors.append(
                    RowError(row.number, column, _("%(what)s与第 %(row)d 行重复。") % {"what": what, "row": first[key]})
                )
            else:
                first[key] = row.number
        keys = list(first)
        existing = set()
        for start in range(0, len(keys), 1000):
            chunk = keys[start : start + 1000]
            if len(attnames) == 1:
                condition = models.Q(**{f"{attnames[0]}__in": [k[0] for k in chunk]})
            else:
                condition = models.Q()
                for key in chunk:
                    condition |= models.Q(**dict(zip(attnames, key, strict=True)))
            existing.update(model._base_manager.filter(condition).values_list(*attnames))
        for key in keys:
            if key in existing:
                errors.append(
                    RowError(
                        first[key],
                        column,
                        _("已存在%(what)s相同的%(model)s。") % {"what": what, "model": model._meta.verbose_name},
                    )
                )
    return errors
