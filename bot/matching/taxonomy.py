"""The skills taxonomy: canonical skills with aliases and related skills; learns mentors' own skills."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

__all__ = ["Taxonomy", "build_taxonomy"]


def _norm(s: str) -> str:
    return " ".join(s.lower().replace("_", " ").split()).strip("#")


@dataclass
class Taxonomy:
    """Canonical skill names, each with aliases (and related skills that count for less)."""

    aliases: dict[str, set[str]] = field(default_factory=dict)
    related: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_term: dict[str, str] = {}
        for canon, names in self.aliases.items():
            self._index(canon, names)

    def _index(self, canon: str, names: Iterable[str]) -> None:
        self._by_term[_norm(canon)] = canon
        for n in names:
            self._by_term.setdefault(_norm(n), canon)

    def add(self, canon: str, aliases: Iterable[str] = ()) -> None:
        """Learn a skill (e.g. one a mentor typed that the taxonomy did not know)."""
        canon = _norm(canon)
        names = self.aliases.setdefault(canon, set())
        names.update(_norm(a) for a in aliases)
        self._index(canon, names)

    def terms(self) -> Mapping[str, str]:
        """Every known term (canonical name or alias) to its canonical name."""
        return self._by_term

    def canonical(self, skill: str, *, threshold: float = 88.0) -> str | None:
        """The canonical name for a skill as typed, allowing for typos; None if unknown."""
        key = _norm(skill)
        if not key:
            return None
        if key in self._by_term:
            return self._by_term[key]
        if len(key) < 4:
            return None
        hit = process.extractOne(key, self._by_term.keys(), scorer=fuzz.ratio, score_cutoff=threshold)
        return self._by_term[hit[0]] if hit else None

    def normalize(self, skills: Iterable[str]) -> tuple[str, ...]:
        """Map free-text skills onto the taxonomy; unknown ones are kept and learned."""
        out: list[str] = []
        for s in skills:
            key = _norm(s)
            if not key:
                continue
            canon = self.canonical(key)
            if canon is None:
                self.add(key)
                canon = key
            if canon not in out:
                out.append(canon)
        return tuple(out)

    def related_to(self, skill: str) -> set[str]:
        return self.related.get(skill, set())


def build_taxonomy(configured: Mapping[str, Iterable[str]] | None = None) -> Taxonomy:
    """The shipped taxonomy extended with ``[skills]`` from `bot.toml`."""
    tax = Taxonomy()
    for canon, aliases in (configured or {}).items():
        tax.add(canon, aliases)
    return tax
