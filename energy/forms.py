from django import forms
from django.utils.translation import gettext as _

from bureau.forms import BaseModelForm, MonthInput
from bureau.scoping import has_model_perm
from energy.choices import CreationState, accepted_units, official_unit
from energy.models import (
    ConservationOrgan,
    Consumption,
    EnergyAudit,
    Factor,
    FactorSet,
    Inspection,
    Profile,
    Retrofit,
    Target,
    VerificationFlag,
)
from energy.registry import registry_floor_area, registry_people
from energy.requests import PERIOD


class FactorSetForm(BaseModelForm):
    class Meta:
        model = FactorSet
        fields = ["name", "year", "source", "active", "note"]


class FactorForm(BaseModelForm):
    class Meta:
        model = Factor
        fields = ["factor_set", "item", "coal", "co2", "density", "source"]


class TargetForm(BaseModelForm):
    class Meta:
        model = Target
        fields = ["key", "base_year", "target_year", "value", "source"]


class ProfileForm(BaseModelForm):
    """Floor area and people left empty are taken from the registries where they know them."""

    class Meta:
        model = Profile
        fields = ["unit", "year", "floor_area", "heated_area", "people", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, source in (("floor_area", _("办公用房登记")), ("people", _("人员登记"))):
            self.fields[name].required = False
            self.fields[name].help_text = f"{self.fields[name].help_text} " + _("留空则取%(source)s中的数字。") % {
                "source": source
            }

    def clean(self):
        data = super().clean()
        unit = data.get("unit")
        if unit is None:
            return data
        for name, lookup in (("floor_area", registry_floor_area), ("people", registry_people)):
            if data.get(name) is None and name not in self.errors:
                known = lookup([unit.pk]).get(unit.pk)
                if known is None:
                    self.add_error(name, _("登记中没有该单位的数字，请填写。"))
                else:
                    data[name] = known
                    setattr(self.instance, name, known)
        return data


class ConsumptionForm(BaseModelForm):
    period = forms.CharField(label=_("期间"), max_length=7, widget=MonthInput, help_text=_("年月，例如 2022-03。"))

    class Meta:
        model = Consumption
        fields = ["unit", "period", "item", "quantity", "measure", "cost"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].required = False
        if self.instance.pk:
            self.initial.setdefault("period", self.instance.period)

    def clean_period(self):
        value = self.cleaned_data["period"].strip()
        match = PERIOD.match(value)
        if not match or not match["month"] or not 1 <= int(match["month"]) <= 12:
            raise forms.ValidationError(_("期间须为“YYYY-MM”，例如 2022-03。"))
        self.instance.year, self.instance.month = int(match["year"]), int(match["month"])
        return value

    def clean(self):
        data = super().clean()
        item = data.get("item")
        if item and not data.get("measure"):
            data["measure"] = official_unit(item)
        if item and data.get("measure") not in accepted_units(item) and "measure" not in self.errors:
            self.add_error("measure", _("计量单位只能是 %(units)s。") % {"units": "、".join(accepted_units(item))})
        unit, inst = data.get("unit"), self.instance
        if unit and item and inst.year and not self.checked_in_bulk:
            clash = Consumption.objects.filter(unit=unit, year=inst.year, month=inst.month, item=item)
            if clash.exclude(pk=inst.pk).exists():
                self.add_error("item", _("该单位 %(period)s 的此品种已有数据。") % {"period": data.get("period")})
        return data


class VerificationFlagForm(BaseModelForm):
    class Meta:
        model = VerificationFlag
        fields = ["unit", "year", "kind", "item", "message", "resolved", "note"]


class EnergyAuditForm(BaseModelForm):
    class Meta:
        model = EnergyAudit
        fields = ["unit", "year", "auditor", "audit_date", "findings", "measures", "deadline", "follow_up", "state"]


class ConservationOrganForm(BaseModelForm):
    class Meta:
        model = ConservationOrgan
        fields = ["unit", "year", *ConservationOrgan.CRITERIA, "evidence", "state"]

    def clean_state(self):
        state = self.cleaned_data["state"]
        message = assessment_refused(self.user, self.instance.state if self.instance.pk else None, state)
        if message:
            raise forms.ValidationError(message)
        return state


def assessment_refused(user, previous, state):
    """A unit plans and applies; whether it made the grade (已达标 / 未达标) is the energy
    division's ruling, which a unit can neither give nor undo. The refusal, or None."""
    assessed = (CreationState.CREATED, CreationState.FAILED)
    if state == previous or has_model_perm(user, ConservationOrgan, "change"):
        return None
    if state in assessed or previous in assessed:
        return _("“已达标”“未达标”由节能处评定；单位只能填“计划创建”或“已申报”。")
    return None


class RetrofitForm(BaseModelForm):
    class Meta:
        model = Retrofit
        fields = [
            "unit",
            "name",
            "kind",
            "emc_mode",
            "contractor",
            "investment",
            "start_year",
            "expected_tce",
            "expected_co2_t",
            "measured_tce",
            "measured_co2_t",
            "state",
        ]


class InspectionForm(BaseModelForm):
    class Meta:
        model = Inspection
        fields = ["unit", "topic", "date", "inspector", "result", "findings", "deadline", "rectified"]
