"""Excel in: import templates and all-or-nothing uploads for registries and request kinds, a step
a module: `checks` (before parsing), `reading`, `columns` and `rows` (each row by the record's own
form, then the whole file), `writing` (all or nothing), `template` and `pages`.

Callers import from those modules; bureau.generic and bureau.jobs still import these from here."""

from bureau.imports.checks import UploadRejected
from bureau.imports.pages import ImportView, TemplateView
from bureau.imports.reading import data_rows
from bureau.imports.writing import import_registry

__all__ = ["ImportView", "TemplateView", "UploadRejected", "data_rows", "import_registry"]
