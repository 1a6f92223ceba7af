"""Lead mining (智能线索挖掘): candidates, signals, reasons and the backtest. Not the lead pipeline
(``services.pipeline`` holds the team's pipeline records)."""

from .mine import candidate_rows, lead_of, leads_document, load_config, mine_leads, ranked_leads, scored_leads, top_leads
from .saved import resolve_weights, saved_weights, save_weights

__all__ = ["candidate_rows", "lead_of", "leads_document", "load_config", "mine_leads", "ranked_leads", "scored_leads", "top_leads", "resolve_weights", "saved_weights", "save_weights"]
