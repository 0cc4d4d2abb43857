"""The kinds of organisational life and their usual frequency (《中国共产党支部工作条例（试行）》,
DOMAIN.md "Party, integrity"): the starting data an administrator then edits."""

from django.db import migrations

KINDS = [
    ("支部党员大会", "quarterly"),
    ("支部委员会", "monthly"),
    ("党小组会", "monthly"),
    ("党课", "quarterly"),
    ("主题党日", "monthly"),
    ("组织生活会", "annual"),
    ("民主评议党员", "annual"),
    ("民主生活会", "none"),  # held by leadership groups: a branch that is one sets its own requirement
]


def add(apps, schema_editor):
    MeetingKind = apps.get_model("party", "MeetingKind")
    for order, (name, frequency) in enumerate(KINDS, start=1):
        MeetingKind.objects.get_or_create(name=name, defaults={"frequency": frequency, "order": order})


class Migration(migrations.Migration):
    dependencies = [("party", "0002_branches")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
