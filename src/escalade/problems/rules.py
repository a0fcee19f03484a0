"""Detection of recurring incidents (pure): incidents of the same symptom and site, within
a window, whose descriptions look alike (RapidFuzz token-set similarity, accents and case
ignored), form a group; a group of the threshold's size is proposed as a problem."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from rapidfuzz import fuzz

from escalade.core.text import normalize
from escalade.core.transitions import Transitions


@dataclass(frozen=True)
class Item:
    id: int
    symptom: str
    site: str
    at: dt.datetime
    text: str


@dataclass
class Group:
    symptom: str
    site: str
    items: list[Item]
    similarity: float


def similarity(a: str, b: str) -> float:
    return fuzz.token_set_ratio(normalize(a), normalize(b))


def groups(
    items: list[Item], *, window_days: int, min_size: int, min_similarity: float
) -> list[Group]:
    """Groups of alike incidents (same symptom and site, within the window, similar text)."""
    by_key: dict[tuple[str, str], list[Item]] = {}
    for item in items:
        by_key.setdefault((item.symptom, normalize(item.site).strip()), []).append(item)
    found = []
    window = dt.timedelta(days=window_days)
    for (symptom, _site), members in by_key.items():
        members.sort(key=lambda i: i.at)
        times = [m.at for m in members]
        texts = [normalize(m.text) for m in members]
        used: set[int] = set()
        for k, seed in enumerate(members):
            if seed.id in used:
                continue
            cluster, scores = [seed], []
            # only the members within the window of the seed (sorted by time: bisect)
            lo, hi = bisect_left(times, seed.at - window), bisect_right(times, seed.at + window)
            for j in range(lo, hi):
                other = members[j]
                if j == k or other.id in used:
                    continue
                score = fuzz.token_set_ratio(texts[k], texts[j])
                if score >= min_similarity:
                    cluster.append(other)
                    scores.append(score)
            if len(cluster) >= min_size:
                used.update(i.id for i in cluster)
                found.append(
                    Group(
                        symptom,
                        seed.site,
                        sorted(cluster, key=lambda i: i.at),
                        round(sum(scores) / len(scores), 1),
                    )
                )
    return found


# A problem's moves (seed 001, point 3): a proposal is accepted or rejected; a workaround
# makes it a known error; it closes once its measures are done; it may be merged into
# another while it is active.
_ACTIVE = ("proposed", "open", "known_error")
TRANSITIONS = Transitions(
    {
        "accept": {"proposed": "open"},
        "reject": {"proposed": "rejected"},
        "known_error": {"proposed": "known_error", "open": "known_error"},
        "close": {"open": "closed", "known_error": "closed"},
        "merge": {state: "merged" for state in _ACTIVE},
    }
)
