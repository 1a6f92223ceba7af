"""The industry chain: taxonomies as data, rule-based enterprise classification and its evaluation."""

from .taxonomy import Node, Taxonomy, install_taxonomy, load_taxonomy

__all__ = ["Node", "Taxonomy", "install_taxonomy", "load_taxonomy"]
