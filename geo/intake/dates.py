"""Time expressions resolved against the publication date into a window and its precision.

``on Monday`` is the last Monday on or before publication; ``last week`` is the
union of the previous Monday-to-Sunday week and the seven days before
publication; ``late December`` is the 21st to the 31st of the last December up
to publication; ``three months ago`` is that whole month. ``time_precision``
follows ACLED: 1 the day is known, 2 a window of up to about two weeks, 3 a month
or longer.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from geo.importers.dates import MONTHS

WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NUMBER_WORDS: Final = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "a couple of": 2,
    "a few": 3,
    "several": 3,
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
_WEEKDAY = r"(?P<weekday>" + "|".join(WEEKDAYS) + r")"
_NUM = r"(?P<num>\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"

# Order matters: the first pattern to claim a span wins.
PATTERNS: Final = [
    ("iso", re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b")),
    ("day_month", re.compile(rf"\b{_DAY}\s+{_MONTH}{_YEAR}\b", re.I)),
    ("month_day", re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?!\s*(?:km|mm|kilomet|mile)){_YEAR}", re.I)),
    (
        "part_month",
        re.compile(
            rf"\b(?P<part>early|mid|late|the end of|end of|the beginning of|beginning of|"
            rf"the start of|start of)[\s-]+{_MONTH}{_YEAR}\b",
            re.I,
        ),
    ),
    ("ago", re.compile(rf"\b{_NUM}\s+(?P<unit>day|week|month|year)s?\s+ago\b", re.I)),
    ("fortnight", re.compile(r"\ba fortnight ago\b", re.I)),
    ("rel_period", re.compile(r"\b(?P<which>last|this|past)\s+(?P<unit>week|month|year)\b", re.I)),
    ("weekend", re.compile(r"\b(?:over|at|during|on)\s+the\s+weekend\b|\bthis weekend\b", re.I)),
    (
        "rel_day",
        re.compile(r"\b(?P<word>yesterday|today|tonight|this morning|this evening)\b", re.I),
    ),
    (
        "weekday",
        re.compile(
            rf"\b(?P<last>last\s+)?{_WEEKDAY}(?:\s+(?P<part>morning|night|evening|afternoon))?\b",
            re.I,
        ),
    ),
    (
        "month",
        re.compile(
            rf"\b(?P<which>last|this|in|since|during|early in|late in)?\s*{_MONTH}{_YEAR}\b", re.I
        ),
    ),
    ("overnight", re.compile(r"\bovernight\b", re.I)),
    ("timestamp", re.compile(r"^\s*(?:[01]?\d|2[0-3])[:.][0-5]\d\s*(?:GMT|UTC|local)?\s*[—–-]")),
]
# Relative words that point back at the time of the sentence before.
ANAPHORIC: Final = re.compile(
    r"\b(hours later|hours earlier|hours (?:before|after)|minutes later|"
    r"shortly after(?:wards)?|the same day|"
    r"that day|later that day|earlier that day|at the same time|meanwhile)\b",
    re.I,
)


@dataclass(frozen=True)
class TimeWindow:
    """When something happened, as far as the text says.

    Attributes
    ----------
    start, end : date
        First and last possible day (inclusive).
    precision : int
        ACLED ``time_precision``: 1 day, 2 week, 3 month.
    words : str
        The words it was read from.
    offset : int
        Where those words begin in the sentence (``-1`` when inherited).
    kind : str
        Which rule read it (``weekday``, ``day_month``, ``rel_period``, ...).
    """

    start: date
    end: date
    precision: int
    words: str
    offset: int
    kind: str

    @property
    def days(self) -> int:
        """Length of the window in days."""
        return (self.end - self.start).days + 1


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _latest_month(month: int, published: date, strictly_before: bool = False) -> int:
    """Year of the last ``month`` up to (or strictly before) the publication month."""
    year = published.year
    if month > published.month or (strictly_before and month == published.month):
        year -= 1
    return year


def _shift_month(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 - months
    return index // 12, index % 12 + 1


def _number(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def _window(kind: str, m: re.Match[str], published: date) -> tuple[date, date, int] | None:
    """Resolve one matched expression; None when it does not name a usable time."""
    g = m.groupdict()
    if kind == "iso":
        d = date(int(g["y"]), int(g["m"]), int(g["d"]))
        return d, d, 1
    if kind in ("day_month", "month_day"):
        month = MONTHS[g["month"].lower()]
        year = int(g["year"]) if g.get("year") else _latest_month(month, published)
        day = int(g["day"])
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            return None
        d = date(year, month, day)
        if d > published and not g.get("year"):
            d = date(year - 1, month, min(day, calendar.monthrange(year - 1, month)[1]))
        return d, d, 1
    if kind == "part_month":
        month = MONTHS[g["month"].lower()]
        year = int(g["year"]) if g.get("year") else _latest_month(month, published)
        part = g["part"].lower().replace("the ", "")
        last = calendar.monthrange(year, month)[1]
        first, final = {"early": (1, 10), "mid": (11, 20), "late": (21, last)}.get(
            part, (21, last) if "end" in part else (1, 10)
        )
        return date(year, month, first), min(date(year, month, final), published), 2
    if kind == "ago":
        n, unit = _number(g["num"]), g["unit"].lower()
        if unit == "day":
            d = published - timedelta(days=n)
            return d, d, 1
        if unit == "week":
            centre = published - timedelta(days=7 * n)
            return centre - timedelta(days=3), min(centre + timedelta(days=3), published), 2
        if unit == "month":
            year, month = _shift_month(published, n)
            return date(year, month, 1), _month_end(year, month), 3
        return date(published.year - n, 1, 1), date(published.year - n, 12, 31), 3
    if kind == "fortnight":
        centre = published - timedelta(days=14)
        return centre - timedelta(days=3), centre + timedelta(days=3), 2
    if kind == "rel_period":
        which, unit = g["which"].lower(), g["unit"].lower()
        monday = published - timedelta(days=published.weekday())
        if unit == "week":
            if which == "this":
                return monday, published, 2
            prev_monday = monday - timedelta(days=7)
            return min(prev_monday, published - timedelta(days=7)), published - timedelta(days=1), 2
        if unit == "month":
            if which == "this":
                return published.replace(day=1), published, 3
            if which == "past":
                return published - timedelta(days=30), published, 3
            year, month = _shift_month(published, 1)
            return date(year, month, 1), _month_end(year, month), 3
        if which == "this":
            return None  # "this year" counts over a period; it does not date an incident
        if which == "past":
            return published - timedelta(days=365), published, 3
        return date(published.year - 1, 1, 1), date(published.year - 1, 12, 31), 3
    if kind == "weekend":
        back = (published.weekday() - 5) % 7  # days since the last Saturday
        saturday = published - timedelta(days=back)
        return saturday, min(saturday + timedelta(days=1), published), 2
    if kind == "rel_day":
        word = g["word"].lower()
        d = published - timedelta(days=1) if word == "yesterday" else published
        return d, d, 1
    if kind == "weekday":
        target = WEEKDAYS.index(g["weekday"].lower())
        back = (published.weekday() - target) % 7
        if g.get("last") and back == 0:
            back = 7
        d = published - timedelta(days=back)
        part = (g.get("part") or "").lower()
        end = min(d + timedelta(days=1), published) if part == "night" else d
        return d, end, 1
    if kind == "month":
        which = (g.get("which") or "").lower().strip()
        if not which and not g.get("year") and g["month"].lower() in ("may", "mar", "dec", "jan"):
            return None  # "may" the verb, "Mar" and others alone are too ambiguous
        month = MONTHS[g["month"].lower()]
        if g.get("year"):
            year = int(g["year"])
        else:
            year = _latest_month(month, published, strictly_before=which == "last")
        if which == "since":
            return date(year, month, 1), published, 3
        return date(year, month, 1), min(_month_end(year, month), published), 3
    if kind == "overnight":
        return published - timedelta(days=1), published, 1
    if kind == "timestamp":
        return published, published, 1
    return None


def find_times(sentence: str, published: date) -> list[TimeWindow]:
    """Every time expression of a sentence, resolved against the publication date.

    Parameters
    ----------
    sentence : str
    published : date
        The article's publication date.

    Returns
    -------
    list of TimeWindow
        In the order they appear; spans claimed by an earlier pattern (``late
        December``) are not read again by a later one (``December``).
    """
    taken: list[tuple[int, int]] = []
    found: list[TimeWindow] = []
    for kind, pattern in PATTERNS:
        for m in pattern.finditer(sentence):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            if kind == "month" and not m.group("month")[0].isupper():
                continue  # month names are capitalised; "march" and "may" are verbs
            resolved = _window(kind, m, published)
            if resolved is None:
                continue
            start, end, precision = resolved
            if start > published:
                continue
            taken.append((m.start(), m.end()))
            words = m.group().strip()
            found.append(TimeWindow(start, min(end, published), precision, words, m.start(), kind))
    return sorted(found, key=lambda t: t.offset)


def merge_night(window: TimeWindow, sentence: str, published: date) -> TimeWindow:
    """Extend a one-day window by the next morning when the sentence says it was overnight."""
    if window.precision == 1 and window.days == 1 and re.search(r"\bovernight\b", sentence, re.I):
        end = min(window.end + timedelta(days=1), published)
        return TimeWindow(window.start, end, 1, window.words, window.offset, window.kind)
    return window


def points_back(sentence: str) -> str | None:
    """Return the words (``hours later``, ``the same day``) tying a sentence to the time before."""
    m = ANAPHORIC.search(sentence)
    return m.group() if m else None
