"""What the portal walk found on performance pages: a property column shown as "title", and the
reviewer or evaluator shown by login instead of name."""

from django.contrib.auth import get_user_model

from tests.performance.factories import ItemFactory


def test_subitem_table_heads_the_title_in_chinese(client, world):
    item = ItemFactory()
    ItemFactory(parent=item, plan=item.plan, level="subitem", number="（1）", text="（1）细化任务。\n")
    client.force_login(world.admin)
    page = client.get(item.get_absolute_url()).content.decode()
    assert "<th>项目</th>" in page
    assert ">title<" not in page


def test_a_user_reads_as_a_name_not_a_login(world):
    from bureau.generic import display
    from performance.models import Adjustment

    reviewer = get_user_model().objects.create_user("kaohe01", first_name="王", last_name="审核")
    adjustment = Adjustment(approved_by=reviewer)
    assert display(adjustment, "approved_by") == reviewer.get_full_name()
    assert "kaohe01" not in display(adjustment, "approved_by")
