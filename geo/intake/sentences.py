"""Sentence splitting by rules: paragraphs, then sentence ends that are not abbreviations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

# Words that end in a full stop without ending the sentence (lower-cased, without the stop).
ABBREVIATIONS: Final = frozenset(
    "mr mrs ms dr prof gen lt col maj capt sgt cpl adm brig sen rep gov pres st no vs etc "
    "approx est jan feb mar apr jun jul aug sep sept oct nov dec inc ltd co corp dept "
    "u.s u.k u.n e.g i.e a.m p.m".split()
)
SENTENCE_END: Final = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+|$)")
PARAGRAPH: Final = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")
WORD_BEFORE: Final = re.compile(r"([A-Za-z.]+)$")


@dataclass(frozen=True)
class Sentence:
    """A sentence and where it lies in the article.

    Attributes
    ----------
    start, end : int
        Character offsets into the article text (``text[start:end]``).
    text : str
        The sentence, verbatim.
    paragraph : int
        Index of its paragraph, counted from the start of the body.
    index : int
        Position of the sentence in the article.
    """

    start: int
    end: int
    text: str
    paragraph: int
    index: int


def _is_abbreviation(chunk: str, stop: int) -> bool:
    """Whether the full stop at ``stop`` closes an abbreviation or an initial."""
    match = WORD_BEFORE.search(chunk[:stop])
    if match is None:
        return False
    word = match[1].lower().rstrip(".")
    if word in ABBREVIATIONS:
        return True
    # Single capital initials ("J. Smith") and dotted acronyms ("U.S.") do not end a sentence
    # unless the next word starts a new sentence in capitals after an acronym; keep them joined.
    return len(word) == 1 and word.isalpha()


def split_sentences(text: str, start: int = 0) -> list[Sentence]:
    """Split text into sentences, keeping their offsets.

    Parameters
    ----------
    text : str
        The whole article text.
    start : int
        Offset where the body begins; text before it is not split.

    Returns
    -------
    list of Sentence
        In reading order; whitespace around each sentence is trimmed.
    """
    sentences: list[Sentence] = []
    for paragraph, block in enumerate(PARAGRAPH.finditer(text, start)):
        chunk = block.group()
        base = block.start()
        begin = 0
        for end_match in SENTENCE_END.finditer(chunk):
            stop = end_match.start()
            if chunk[stop] == "." and _is_abbreviation(chunk, stop):
                continue
            rest = chunk[end_match.end() :].lstrip()
            if rest and not (rest[0].isupper() or rest[0].isdigit() or rest[0] in "\"“‘'(["):
                continue
            _append(sentences, text, base + begin, base + end_match.end(), paragraph)
            begin = end_match.end()
        _append(sentences, text, base + begin, base + len(chunk), paragraph)
    return sentences


def _append(sentences: list[Sentence], text: str, start: int, end: int, paragraph: int) -> None:
    """Append the trimmed span as a sentence when it holds any word."""
    span = text[start:end]
    stripped = span.strip()
    if not any(ch.isalnum() for ch in stripped):
        return
    start += len(span) - len(span.lstrip())
    end = start + len(stripped)
    sentences.append(Sentence(start, end, stripped, paragraph, len(sentences)))
