"""The relationship graph (人脉图谱): the edge view over the relationship tables, tie strengths, person identity,
the in-memory graph, key persons and reach paths. ``reach_strength`` is the reachability signal of a lead."""

from .reach import between, neighbours, reach, reach_strength

__all__ = ["between", "neighbours", "reach", "reach_strength"]
