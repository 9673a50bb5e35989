"""The 18-character Unified Social Credit Code (统一社会信用代码, GB 32100-2015).

Layout: registration authority (1), organisation type (1), administrative
division (6 digits), organisation code (9), check character (1). The check
character is computed over the first 17 characters in a 31-character alphabet
(digits and upper-case letters without I, O, Z, S, V) with weights 3^i mod 31::

    check = 31 - (sum(value(c_i) * w_i) mod 31), and 31 becomes 0
"""

from __future__ import annotations

from htz.errors import IdentifierError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


def check_character(first17: str) -> str:
    """The check character for the first 17 characters of a USCC."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why ``code`` is not a valid USCC, or None if it is."""
    if len(code) != 18:
        return f"USCC {code!r} has {len(code)} characters; it must have 18"
    for position, c in enumerate(code, start=1):
        if c not in _VALUE:
            hint = " (I, O, Z, S and V are never used)" if c.isalpha() else ""
            return f"USCC {code!r} has {c!r} at position {position}, which is not allowed{hint}"
    if not code[2:8].isdigit():
        return f"USCC {code!r}: positions 3-8 must be the 6-digit administrative division code"
    expected = check_character(code[:17])
    if code[17] != expected:
        return (
            f"USCC {code!r} fails its check: position 18 is {code[17]!r}, "
            f"expected {expected!r}; check the code for a typing error"
        )
    return None


def normalise(code: str) -> str:
    """Upper-case and strip a USCC as typed (full-width forms are folded to ASCII)."""
    folded = "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in code)
    return folded.strip().upper()


def validate(code: str) -> str:
    """The normalised code, or IdentifierError saying what is wrong with it."""
    normal = normalise(code)
    why = problem(normal)
    if why:
        raise IdentifierError(why + ".")
    return normal
