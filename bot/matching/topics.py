"""Topic extraction: which taxonomy skills a question is about (rapidfuzz, word-boundary aware)."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from bot.matching.taxonomy import Taxonomy

__all__ = ["extract_topics"]

_WORD = re.compile(r"[#@]?[\w+.\-]+")


def _tokens(text: str) -> list[str]:
    return [t.lower().lstrip("#@").strip(".-") for t in _WORD.findall(text)]


def extract_topics(text: str, taxonomy: Taxonomy, *, threshold: float = 85.0) -> list[str]:
    """Canonical skills mentioned in `text`, in order of first mention."""
    words = [w for w in _tokens(text) if w]
    found: list[str] = []
    terms = taxonomy.terms()
    max_len = max((len(t.split()) for t in terms), default=1)
    for i in range(len(words)):
        for n in range(min(max_len, len(words) - i), 0, -1):
            gram = " ".join(words[i : i + n])
            canon = terms.get(gram)
            if canon is None and len(gram) >= 5:
                for term, c in terms.items():
                    if abs(len(term) - len(gram)) <= 2 and fuzz.ratio(term, gram) >= threshold:
                        canon = c
                        break
            if canon is not None:
                if canon not in found:
                    found.append(canon)
                break
    return found
