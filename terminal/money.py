"""Money is Decimal yuan with two places; binary floats are refused outright."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def yuan(value: str | int | Decimal) -> Decimal:
    """Parse an amount (string, int or Decimal) into Decimal yuan rounded half-up to the cent."""
    if isinstance(value, float):
        raise TypeError("money must not be a binary float; pass a string or Decimal")
    try:
        d = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None
    if not d.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    try:
        return d.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # too many digits to keep to the cent (1e308): no amount anyone paid
        raise ValueError(f"not an amount: {value!r}") from None


def wire(amount: Decimal) -> str:
    """Format an amount for the wire: a string with exactly two places."""
    return f"{yuan(amount):.2f}"


def total(amounts) -> Decimal:
    """Sum amounts exactly (no float on the way)."""
    return sum((yuan(a) for a in amounts), ZERO)
