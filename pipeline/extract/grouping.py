"""Mentions of one thing grouped greedily: the one loop the agreements and the events share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def group_greedily(
    items: Sequence[T],
    probability: Callable[[T, T], float],
    threshold: float,
    linkage: Callable[[list[float]], float] = max,
) -> list[list[T]]:
    """Items in order, each joining the group it most likely belongs with (the `linkage` of its
    pairwise probabilities with the group's members) when that reaches `threshold`, else a new group."""
    groups: list[list[T]] = []
    for item in items:
        best, best_p = None, threshold
        for group in groups:
            p = linkage([probability(member, item) for member in group])
            if p >= best_p:
                best, best_p = group, p
        if best is None:
            groups.append([item])
        else:
            best.append(item)
    return groups


def mean(values: list[float]) -> float:
    return sum(values) / len(values)
