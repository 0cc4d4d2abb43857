import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from bureau.models import UnitUserObjectPermission
from bureau.roles import ROLES
from bureau.scoping import can, user_unit_ids
from tests.factories import UnitFactory


@pytest.mark.django_db
def test_assign_role_makes_a_liaison_of_one_or_more_units():
    user = get_user_model().objects.create_user("zhang")
    a, b = UnitFactory(), UnitFactory()
    call_command("assign_role", "zhang", "liaison", unit=a.uscc)
    call_command("assign_role", "zhang", "liaison", unit=b.uscc.lower())
    user = get_user_model().objects.get(pk=user.pk)
    assert user_unit_ids(user) == {a.pk, b.pk}
    assert user.groups.filter(name="liaison").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "unit", "message"),
    [
        (("nobody", "leader"), None, "不存在"),
        (("zhang", "king"), None, "未知角色"),
        (("zhang", "liaison"), None, "必须指定"),
        (("zhang", "liaison"), "91310110666007217T", "不存在"),
        (("zhang", "leader"), "UNIT", "只有单位联络员"),
    ],
)
def test_assign_role_refuses_clearly_and_creates_nothing(args, unit, message):
    get_user_model().objects.create_user("zhang")
    UnitFactory(uscc="91310115591693856A") if unit == "UNIT" else None
    with pytest.raises(CommandError, match=message):
        call_command("assign_role", *args, unit="91310115591693856A" if unit == "UNIT" else unit)
    user = get_user_model().objects.get(username="zhang")
    assert not user.groups.exists()
    assert not UnitUserObjectPermission.objects.exists()


def test_assign_role_exits_with_code_1_for_a_bad_call(tmp_path):
    import os
    import subprocess
    import sys

    env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "DJANGO_DEBUG": "True"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, check=True, capture_output=True)
    result = subprocess.run(
        [sys.executable, "manage.py", "assign_role", "ghost", "leader"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 1 and "不存在" in result.stderr


@pytest.mark.django_db
def test_roles_are_groups_with_the_expected_reach(world):
    from bureau.models import DataRequest, Person, Unit

    assert set(ROLES) == {
        "admin",
        "leader",
        "offices",
        "vehicles",
        "energy",
        "logistics",
        "party",
        "discipline",
        "performance",
        "liaison",
        "member",
    }
    assert can(world.leader, Unit, "view") and not can(world.leader, Unit, "change")
    assert can(world.admin, Unit, "change") and can(world.admin, Person, "add")
    assert can(world.staff("energy"), DataRequest, "add") and not can(world.staff("energy"), Unit, "change")
    assert can(world.liaison_a, Person, "add") and not can(world.liaison_a, Unit, "change")
    assert not can(world.member, Person, "view")


@pytest.mark.django_db
def test_cached_reach_follows_role_and_grant_changes(world):
    from django.contrib.auth.models import Group, Permission

    from bureau.models import Person
    from bureau.roles import assign_role

    User = get_user_model()
    user = User.objects.create_user("wang")
    assert not can(User.objects.get(pk=user.pk), Person, "view")  # cached: no reach
    assign_role(user, "leader")
    assert can(User.objects.get(pk=user.pk), Person, "view")
    unit = UnitFactory()
    assign_role(user, "liaison", unit)
    assert user_unit_ids(User.objects.get(pk=user.pk)) == {unit.pk}
    UnitUserObjectPermission.objects.filter(user=user).delete()
    assert user_unit_ids(User.objects.get(pk=user.pk)) == frozenset()
    # A group losing a permission takes it from every member at once.
    Group.objects.get(name="leader").permissions.remove(Permission.objects.get(codename="view_person"))
    assert not can(User.objects.get(pk=user.pk), Person, "view")
