"""Editing the plan's tree in place: moving a node among its siblings (with everything under it)
and splitting a node's text in two. The nodes' order stays a walk of the tree, so the plan's text
is still the preamble and the nodes' texts in order."""

from django.db import transaction
from django.utils.translation import gettext as _

from performance.models import Item

DEPTH = {"part": 0, "item": 1, "subitem": 2}


class TreeError(ValueError):
    pass


def span(nodes, i):
    """The end (exclusive) of the subtree that starts at nodes[i]."""
    depth = DEPTH[nodes[i].level]
    end = i + 1
    while end < len(nodes) and DEPTH[nodes[end].level] > depth:
        end += 1
    return end


def renumber(nodes):
    changed = []
    for order, node in enumerate(nodes, 1):
        if node.order != order:
            node.order = order
            changed.append(node)
    Item.objects.bulk_update(changed, ["order"])


@transaction.atomic
def move(item, step):
    """Move `item` one place up (step -1) or down (+1) among its siblings."""
    nodes = list(Item.objects.select_for_update().filter(plan_id=item.plan_id).order_by("order"))
    starts = [i for i, n in enumerate(nodes) if n.parent_id == item.parent_id and n.level == item.level]
    here = next(k for k, i in enumerate(starts) if nodes[i].pk == item.pk)
    other = here + step
    if not 0 <= other < len(starts):
        raise TreeError(_("已在最前或最后，不能再移动。"))
    first, second = sorted((starts[here], starts[other]))
    first_end, second_end = span(nodes, first), span(nodes, second)
    nodes[first:second_end] = nodes[second:second_end] + nodes[first_end:second] + nodes[first:first_end]
    renumber(nodes)


@transaction.atomic
def split(item, at, number):
    """Cut `item`'s text where `at` starts: the rest becomes a new node of the same level right
    after it, and takes the nodes under `item` along (their text follows the rest)."""
    position = item.text.find(at) if at else -1
    if position <= 0 or item.text.count(at) != 1:
        raise TreeError(_("拆分位置须是原文中只出现一次、且不在开头的一段文字。"))
    nodes = list(Item.objects.select_for_update().filter(plan_id=item.plan_id).order_by("order"))
    i = next(k for k, n in enumerate(nodes) if n.pk == item.pk)
    rest = Item.objects.create(
        plan_id=item.plan_id,
        parent=item.parent,
        level=item.level,
        number=number,
        text=item.text[position:],
        order=item.order,
        division=item.division,
        owner=item.owner,
        deadline=item.deadline,
    )
    item.text = item.text[:position]
    item.save()
    for child in item.children.all():
        child.parent = rest
        child.save()
    nodes.insert(i + 1, rest)
    renumber(nodes)
    return rest


@transaction.atomic
def place(item):
    """Put a new node last under its parent (a part: last in the plan)."""
    nodes = list(Item.objects.select_for_update().filter(plan_id=item.plan_id).exclude(pk=item.pk).order_by("order"))
    at = len(nodes)
    if item.parent_id:
        parent = next(i for i, n in enumerate(nodes) if n.pk == item.parent_id)
        at = span(nodes, parent)
    nodes.insert(at, item)
    renumber(nodes)
