"""The one rule for reading numbers that people type or that files carry as text.

This module owns how a string becomes a `Decimal` everywhere in the portal: the entry grid and
forms, the figures, catalogue and member imports, and the API's string inputs. The browser
preview (static/js/reports.js) implements the same rule and is tested against the same vectors
(tests/core/number_vectors.json).

The rule, for one of two conventions:

- ``COMMA`` (Vietnamese): the comma is the decimal separator, the dot groups thousands.
- ``DOT`` (English): the dot is the decimal separator, the comma groups thousands.

A grouping separator is only accepted between groups of exactly three digits, after a first
group of one to three digits that does not start with 0 ("0.500" can never be thousands).
Spaces (including no-break and thin spaces) group thousands the same way in both conventions.
A leading "+", "-" or "−" is a sign. Full-width digits and separators are folded by NFKC;
any other character, digits of other scripts included, is refused by name. Text longer than
`MAX_LENGTH` is refused before it is looked at.

A string is *ambiguous* when both conventions read it and disagree ("12.345", "20,000").
Reading with a known convention (`parse(text, COMMA)`) never guesses between conventions: a
lone separator of the other kind that cannot group thousands ("12.5", "0.500" under COMMA) is a
decimal point, since no other reading exists. Reading with no convention (`parse(text, None)`,
the API) accepts any string both conventions agree on or only one can read, and refuses an
ambiguous one. In a file, `detect` finds the convention from the cells only one convention can
read ("1,5" proves COMMA, "2,345.6" proves DOT).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

COMMA = "comma"
DOT = "dot"
CONVENTIONS = (COMMA, DOT)
MAX_LENGTH = 40

# Separators of each convention: (decimal, grouping).
_SEPARATORS = {COMMA: (",", "."), DOT: (".", ",")}
MAX_RAW_LENGTH = 1000  # longer text is refused without normalising it
# Tabs, line breaks, no-break, figure, thin and narrow no-break spaces all group like a space.
# NFKC folds full-width digits and signs but leaves U+2212 MINUS SIGN, replaced by hand.
_SPACES = re.compile("[\t\n\r\f\v\u00a0\u2007\u2009\u202f]")


def _pattern(decimal: str, group: str) -> re.Pattern[str]:
    d, g = re.escape(decimal), re.escape(group)
    grouped = rf"[1-9]\d{{0,2}}(?:{g}\d{{3}})+|[1-9]\d{{0,2}}(?: \d{{3}})+"
    return re.compile(
        rf"(?P<sign>[+-]?)(?:(?P<int>\d+|{grouped})(?:{d}(?P<frac>\d+))?|{d}(?P<only>\d+))"
    )


_PATTERNS = {c: _pattern(*_SEPARATORS[c]) for c in CONVENTIONS}


def convention_label(convention: str) -> str:
    return {
        COMMA: _("dấu phẩy là dấu thập phân (Việt Nam)"),
        DOT: _("dấu chấm là dấu thập phân (tiếng Anh)"),
    }[convention]


class NumberError(ValueError):
    """The text is not a number under the rule; `message` says why, in the user's language."""

    code = "invalid"

    def __init__(self, text: str, message: str):
        super().__init__(message)
        self.text = text
        self.message = message


class AmbiguousNumber(NumberError):
    """Both conventions read the text and disagree; `readings` holds both values."""

    code = "ambiguous"

    def __init__(self, text: str, readings: dict[str, Decimal]):
        self.readings = readings
        super().__init__(
            text,
            _(
                "«%(text)s» có hai cách đọc: %(comma)s nếu dấu phẩy là dấu thập phân (Việt Nam), "
                "hoặc %(dot)s nếu dấu chấm là dấu thập phân (tiếng Anh)."
            )
            % {"text": text, "comma": shown(readings[COMMA]), "dot": shown(readings[DOT])},
        )


def shown(number: Decimal) -> str:
    """A reading written so nobody can misread it: no grouping, the language's decimal mark,
    no useless zeros ("1500", "0,5")."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(".", formats.get_format("DECIMAL_SEPARATOR"))


def plain(number: Decimal) -> str:
    """Text that every convention reads back as exactly `number`: digits, and a dot decimal
    point followed by anything but exactly three digits (a zero is appended if needed)."""
    text = format(number, "f")
    whole, _dot, frac = text.partition(".")
    frac = frac.rstrip("0")
    if not frac:
        return whole
    return f"{whole}.{frac}0" if len(frac) == 3 else f"{whole}.{frac}"


def normalise(raw: str) -> str:
    """Fold the text to ASCII digits, separators, a plain minus and single spaces, or refuse."""
    text = raw if len(raw) > MAX_RAW_LENGTH else unicodedata.normalize("NFKC", raw)
    text = _SPACES.sub(" ", text.replace("\u2212", "-")).strip(" ")
    if len(text) > MAX_LENGTH:
        raise NumberError(
            raw,
            _("«%(text)s…» quá dài để là một số (tối đa %(max)s ký tự).")
            % {"text": text[:12], "max": MAX_LENGTH},
        )
    for char in text:
        if char in "0123456789+-., ":
            continue
        if unicodedata.category(char) == "Nd":
            raise NumberError(
                raw,
                _("«%(text)s» có chữ số «%(char)s» không phải 0–9; hãy gõ lại bằng chữ số thường.")
                % {"text": raw, "char": char},
            )
        if not any(c.isdigit() for c in text):
            raise NumberError(raw, _("«%(text)s» không phải là số.") % {"text": raw})
        raise NumberError(
            raw,
            _("«%(text)s» không phải là số: có ký tự «%(char)s».") % {"text": raw, "char": char},
        )
    return text


def _read(text: str, convention: str) -> Decimal | None:
    match = _PATTERNS[convention].fullmatch(text)
    if match is None:
        return None
    whole = (match["int"] or "0").replace(" ", "").replace(_SEPARATORS[convention][1], "")
    frac = match["frac"] or match["only"] or "0"
    return Decimal(f"{match['sign']}{whole}.{frac}")


def readings(text: str) -> dict[str, Decimal]:
    """The value of normalised `text` under each convention that can read it."""
    found = {}
    for convention in CONVENTIONS:
        value = _read(text, convention)
        if value is not None:
            found[convention] = value
    return found


def _unreadable(raw: str, convention: str | None) -> NumberError:
    if convention == COMMA:
        message = _(
            "«%(text)s» không đọc được thành số theo quy ước Việt Nam: dấu phẩy là dấu thập "
            "phân, dấu chấm chỉ tách từng nhóm ba chữ số hàng nghìn (ví dụ 1.234,5)."
        )
    elif convention == DOT:
        message = _(
            "«%(text)s» không đọc được thành số theo quy ước tiếng Anh: dấu chấm là dấu thập "
            "phân, dấu phẩy chỉ tách từng nhóm ba chữ số hàng nghìn (ví dụ 1,234.5)."
        )
    else:
        message = _(
            "«%(text)s» không đọc được thành số: chỉ có một dấu thập phân, và dấu phân cách "
            "hàng nghìn phải tách đúng từng nhóm ba chữ số (ví dụ 1.234,5 hoặc 1234,5)."
        )
    return NumberError(raw, message % {"text": raw})


def parse(raw, convention: str | None) -> Decimal | None:
    """`raw` as a Decimal under `convention` (None: unknown, so ambiguity is refused).

    None and blank text are None. Numbers (not bools) are taken as they are. Raises
    `NumberError` (or `AmbiguousNumber`) with a message for the user.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise NumberError(str(raw), _("«%(text)s» không phải là số.") % {"text": raw})
    if isinstance(raw, int | float | Decimal):
        return _finite(Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw), raw)
    if _plain_digits(raw):
        # What both conventions read such a text as, without the patterns: most cells.
        return Decimal(f"{raw}.0")
    text = normalise(str(raw))
    if text == "":
        return None
    if not any(c.isdigit() for c in text):
        raise NumberError(raw, _("«%(text)s» không phải là số.") % {"text": raw})
    found = readings(text)
    if convention is None:
        if len(set(found.values())) > 1:
            raise AmbiguousNumber(str(raw), found)
        if not found:
            raise _unreadable(str(raw), None)
        return next(iter(found.values()))
    if convention in found:
        return found[convention]
    other = DOT if convention == COMMA else COMMA
    group = _SEPARATORS[convention][1]
    # A lone separator that cannot group thousands has only the decimal reading left.
    if other in found and text.count(group) == 1 and _SEPARATORS[convention][0] not in text:
        return found[other]
    raise _unreadable(str(raw), convention)


def _plain_digits(raw) -> bool:
    """Text of ASCII digits only, short enough to be a number: both conventions read it
    alike, as its digits."""
    return raw.__class__ is str and len(raw) <= MAX_LENGTH and raw.isascii() and raw.isdigit()


def _finite(number: Decimal, raw) -> Decimal:
    if number.is_finite():
        return number
    raise NumberError(str(raw), _("«%(text)s» không phải là số.") % {"text": raw})


def evidence(raw) -> str | None:
    """The convention a cell proves (only that convention reads it), else None."""
    if not isinstance(raw, str):
        return None
    try:
        found = readings(normalise(raw))
    except NumberError:
        return None
    return next(iter(found)) if len(found) == 1 else None


def is_ambiguous(raw) -> bool:
    if not isinstance(raw, str):
        return False
    try:
        found = readings(normalise(raw))
    except NumberError:
        return False
    return len(set(found.values())) > 1


@dataclass
class Detection:
    """What a file's cells say about its convention."""

    convention: str | None = None
    examples: dict[str, str] = field(default_factory=dict)  # convention → first proving cell
    ambiguous: list[str] = field(default_factory=list)

    @property
    def needs_choice(self) -> bool:
        """Some cells cannot be read until someone says which convention the file uses."""
        return bool(self.ambiguous) and self.convention is None


def detect(cells: Iterable) -> Detection:
    """The convention the cells prove, when they prove exactly one."""
    result = Detection()
    for cell in cells:
        # `evidence` and `is_ambiguous` in one reading of the cell; plain digits prove
        # nothing and are never ambiguous.
        if not isinstance(cell, str) or _plain_digits(cell):
            continue
        try:
            found = readings(normalise(cell))
        except NumberError:
            continue
        if len(found) == 1:
            result.examples.setdefault(next(iter(found)), cell.strip())
        elif len(set(found.values())) > 1:
            result.ambiguous.append(cell.strip())
    if len(result.examples) == 1:
        result.convention = next(iter(result.examples))
    return result
