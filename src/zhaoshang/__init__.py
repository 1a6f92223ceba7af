"""Zhaoshang (招商图谱): open industrial investment-attraction intelligence."""

__version__ = "0.1.0"
