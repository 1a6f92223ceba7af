"""Text analysis of news and feed items: which enterprises a text names (``MentionLinker``), what kind of event
it reports (``classify_event``) and how it speaks of one named enterprise (``sentiment_towards``);
``analyze_item`` runs all three on one item. Pure functions and small models shipped as data files; methods and
measured figures in docs/methods.md ("News text analysis")."""

from .analyze import analyze_item
from .events import EVENT_TYPES, classify_event
from .linker import LinkResult, Mention, MentionLinker
from .sentiment import sentiment_towards
from .subjects import event_subject

__all__ = ["EVENT_TYPES", "LinkResult", "Mention", "MentionLinker", "analyze_item", "classify_event",
           "event_subject", "sentiment_towards"]
