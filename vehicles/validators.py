"""Licence plates (GA 36-2018, as summarised in DOMAIN.md; pattern after dromara/hutool
`RegexPool.PLATE_NUMBER`, narrowed to D/F for new-energy plates)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
LETTER = "A-HJ-NP-Z"  # I and O are never issued: they read as 1 and 0
PLATE = re.compile(
    rf"^[{PROVINCES}][{LETTER}]("
    rf"[{LETTER}0-9]{{5}}"  # ordinary: 鄂A12345
    rf"|[{LETTER}0-9]{{4}}[警学挂港澳领]"  # with a suffix: 粤B1234警
    rf"|[DF][{LETTER}0-9][0-9]{{4}}"  # new-energy small car: 京AD12345
    r"|[0-9]{5}[DF]"  # new-energy large vehicle: 苏E12345F
    r")$"
)
SEPARATORS = re.compile(r"[\s·\-.]")


def normalise_plate(value):
    return SEPARATORS.sub("", value or "").upper()


def validate_plate(value):
    if not PLATE.match(normalise_plate(value)):
        raise ValidationError(
            _(
                "车牌号“%(value)s”格式不正确：应为省份简称加 6 位（新能源 7 位）字母数字，"
                "不含 I 和 O，例如 鄂A12345、京AD12345。"
            ),
            code="plate",
            params={"value": value},
        )
