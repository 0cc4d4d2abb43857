from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from bureau import generic
from bureau.filtersets import PersonFilterSet, UnitFilterSet
from bureau.forms import PersonForm, UnitForm
from bureau.models import Person, Unit
from bureau.roles import user_roles
from bureau.scoping import has_model_perm, user_unit_ids


class UnitViews(generic.ModelViews):
    model = Unit
    form = UnitForm
    filterset = UnitFilterSet
    columns = ("name", "short_name", "uscc", "kind", "parent", "is_public_institution", "active")
    related = ((_("人员"), Person, "unit", ("name", "rank")),)


class PersonViews(generic.ModelViews):
    model = Person
    form = PersonForm
    filterset = PersonFilterSet
    columns = ("name", "unit", "rank", "id_number_masked")
    labels = {"id_number_masked": "身份证号"}
    detail_fields = ("name", "unit", "rank", "id_number", "user")


@login_required
def home(request):
    """One home per role: what each kind of user comes to the portal for first."""
    user = request.user
    roles = {r.key for r in user_roles(user)}
    context = {"roles": user_roles(user)}
    unit_ids = user_unit_ids(user)
    if unit_ids:
        context["my_units"] = Unit.objects.filter(pk__in=unit_ids)
    if has_model_perm(user, Unit, "view"):
        context["unit_count"] = Unit.objects.for_user(user).filter(active=True).count()
        context["person_count"] = Person.objects.for_user(user).count()
    context["is_leader"] = "leader" in roles
    return render(request, "bureau/home.html", context)


@require_GET
def healthz(request):
    """For the load balancer and compose health check: answers when the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
