import pytest
from django.core.exceptions import ValidationError

from vehicles.forms import VehicleForm
from vehicles.validators import normalise_plate, validate_plate

VALID = [
    "鄂A12345",  # ordinary, DOMAIN.md
    "京AD12345",  # new-energy small car, DOMAIN.md
    "苏E12345F",  # new-energy large vehicle, DOMAIN.md
    "粤B1234警",  # police suffix, DOMAIN.md
    "鄂AFA1234",  # new-energy small: a letter after the F
    "鄂A1234学",
    "鄂A1234挂",
    "鄂AB12C3",  # letters among the five
]
INVALID = [
    "鄂AI2345",  # I is never issued (DOMAIN.md)
    "鄂AO2345",  # nor O
    "鄂A1234",  # too short (DOMAIN.md)
    "XA12345",  # no province (DOMAIN.md)
    "鄂A123456",  # 8 characters but not a new-energy pattern
    "京AX12345",  # 8 characters: the new-energy letter must be D or F
    "苏E1234AF",  # large new-energy: five digits before D/F
    "鄂12345A",  # authority letter missing
    "",
]


@pytest.mark.parametrize("plate", VALID)
def test_valid_plates(plate):
    validate_plate(plate)


@pytest.mark.parametrize("plate", INVALID)
def test_invalid_plates(plate):
    with pytest.raises(ValidationError) as exc:
        validate_plate(plate)
    assert "车牌号" in str(exc.value)


def test_lower_case_and_separators_are_normalised():
    assert normalise_plate(" 鄂a·12345 ") == "鄂A12345"
    assert normalise_plate("京ad-12345") == "京AD12345"
    validate_plate("粤b1234警")


@pytest.mark.django_db
def test_form_stores_upper_case_and_refuses_the_same_plate_twice(world):
    from tests.vehicles.factories import VehicleFactory

    VehicleFactory(plate="鄂A55555", unit=world.unit_a)
    data = {
        "plate": "鄂a55555",
        "unit": world.unit_a.pk,
        "category": "other",
        "energy_type": "bev",
        "brand": "比亚迪",
        "purchase_price": "150000",
        "purchase_date": "2022-01-01",
        "odometer_km": 0,
        "status": "in_service",
        "status_since": "2022-01-01",
        "marking": "marked",
        "quota_approval": "批文1号",
    }
    form = VehicleForm(data, user=world.staff("vehicles"))
    assert not form.is_valid()
    assert "plate" in form.errors
    form = VehicleForm(data | {"plate": "鄂a55556"}, user=world.staff("vehicles"))
    assert form.is_valid(), form.errors
    assert form.save().plate == "鄂A55556"
