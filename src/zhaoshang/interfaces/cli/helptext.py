"""The language of the help texts. Commands write their help in Chinese (docstrings, ``help=``); the English
comes from one catalogue, ``data/cli_help_en.yaml``, keyed by the Chinese text, and is put on the command tree
before the command line is parsed — ``--help`` is eager, so the language is read from argv and the environment
first. A Chinese text without an English entry stays Chinese (tests/test_cli_help_en.py fails on it)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

CATALOGUE = Path(__file__).resolve().parents[2] / "data" / "cli_help_en.yaml"


def argv_lang(argv: list[str]) -> str:
    """``en`` when ``--lang en`` (or ``--lang=en``) is on the command line, or else ZHAOSHANG_LANG is English."""
    lang = os.environ.get("ZHAOSHANG_LANG", "zh")
    for i, a in enumerate(argv):
        if a == "--":
            break
        if a == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif a.startswith("--lang="):
            lang = a.split("=", 1)[1]
    return "en" if lang.lower().startswith("en") else "zh"


def catalogue() -> dict[str, str]:
    """Chinese help text → English."""
    from ...core.config import read_yaml

    return read_yaml(CATALOGUE, "命令行英文帮助", "English help catalogue") or {}


def help_texts(command: Any, path: str = "zhaoshang") -> Iterator[tuple[str, Any, str]]:
    """Every help text of the command tree: (command path, object, attribute) of a command's help or short
    help and of each option's and argument's help."""
    for attr in ("help", "short_help"):
        if getattr(command, attr, None):
            yield path, command, attr
    for param in command.params:
        if getattr(param, "help", None):
            yield path, param, "help"
    for name, sub in (getattr(command, "commands", None) or {}).items():
        yield from help_texts(sub, f"{path} {name}")


def to_english(command: Any) -> None:
    """Replace the help texts of the command tree by their English ones."""
    en = catalogue()
    for _path, obj, attr in help_texts(command):
        text = getattr(obj, attr)
        if text in en:
            setattr(obj, attr, en[text])
