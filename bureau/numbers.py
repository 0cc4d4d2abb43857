"""The one way every page writes a figure: percentages with one decimal (`37.9%`), thousands
separators, a fixed number of decimals per unit of measure, "—" for no data."""

from decimal import ROUND_HALF_UP, Decimal

# "0-1": a share kept as a fraction; "%": already a percentage.
PERCENT = {"%", "0-1"}
DECIMALS = {
    "元": 2,
    "万元": 2,
    "m²": 2,
    "tce": 2,
    "tCO₂": 2,
    "kgce/m²": 2,
    "kgce/人": 2,
    "m³/人": 2,
    "公里": 1,
    "千克": 1,
}
NONE = "—"


def figure(value, unit="", places=None):
    """`value` in `unit`: a percentage unit writes the sign; other units are written beside it by
    the page. `places` overrides the unit's decimals (a model field's own); counts have none."""
    if value is None or value == "":
        return NONE
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if unit == "0-1":
        number *= 100
    if unit in PERCENT:
        places = 1
    elif places is None:
        places = DECIMALS.get(unit, 0 if isinstance(value, int) else 2)
    number = number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    text = f"{number:,.{places}f}"
    return f"{text}%" if unit in PERCENT else text


def measure(unit):
    """The unit a page writes after a figure: none for a percentage (the figure has its sign)."""
    return "" if unit in PERCENT else unit
