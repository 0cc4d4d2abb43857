"""Excel in: import templates and all-or-nothing uploads for registries and request kinds, a step
a module: `checks` (before parsing), `reading`, `columns` and `rows` (each row by the record's own
form, then the whole file), `writing` (all or nothing), `template` and `pages`."""
