"""Writing a registry import: every row validated first, then all saved in one transaction."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from bureau import bulk
from bureau.imports.checks import NOTES_ROW
from bureau.imports.columns import columns_for_form
from bureau.imports.rows import RowError, check_unique, validate_upload


class Records:
    """A registry import's validated rows, kept compact: per row a tuple of the instance's field
    values (and the many-to-many choices), not the instance and its cleaned data, so that
    200,000 rows fit in memory. They are saved from the tuples (bureau.bulk.insert)."""

    def __init__(self, model, many):
        self.model = model
        self.many = many
        self.attnames = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        self.position = {a: i for i, a in enumerate(self.attnames)}

    def keep(self, form):
        values = tuple(getattr(form.instance, a) for a in self.attnames)
        return values, tuple(form.cleaned_data.get(f.name) or () for f in self.many)

    def value(self, row, attname):
        return row.data[0][self.position[attname]]

    def chosen(self, row, name):
        """The records chosen in a row's many-to-many column `name`."""
        return row.data[1][[f.name for f in self.many].index(name)]


def import_registry(config, uploaded_file, user, progress=None):
    """All or nothing: validate every row with the registry's form as `user`, then save every row
    in one transaction. Returns (the new records' ids, errors); with errors nothing is saved.
    `progress(rows read)` is called every few thousand rows."""
    model = config.model
    form_kwargs = {"user": user}
    columns = columns_for_form(config.form, form_kwargs=form_kwargs)
    records = Records(model, [f for f in model._meta.many_to_many if any(f.name == c.name for c in columns)])
    rows, errors = validate_upload(
        uploaded_file, config.form, form_kwargs, columns, keep=records.keep, progress=progress
    )
    if not errors and not rows:
        errors = [RowError(NOTES_ROW + 1, "", _("文件中没有数据行。"))]
    if rows:
        labels = {c.name: c.label for c in columns}
        errors += check_unique(records, rows, labels)
        if not errors and hasattr(config.form, "check_file"):
            errors += config.form.check_file(records, rows, labels)
    if errors:
        return [], sorted(errors, key=lambda e: e.row)
    with transaction.atomic():
        # One transaction; records and audit entries written from the rows' tuples (bureau.bulk).
        pks = bulk.insert(model, records.attnames, [r.data[0] for r in rows])
        for i, field in enumerate(records.many):
            _bulk_set(field, pks, [r.data[1][i] for r in rows])
        if bulk.count_among(model.objects.for_user(user, "add"), pks) != len(pks):
            # Rows saved outside the user's reach: undo everything, whatever the forms allowed.
            raise PermissionDenied
    return pks, []


def _bulk_set(field, pks, targets):
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    links = [
        through(**{f"{source}_id": pk, f"{target}_id": t.pk}) for pk, ts in zip(pks, targets, strict=True) for t in ts
    ]
    through.objects.bulk_create(links, batch_size=2000)
