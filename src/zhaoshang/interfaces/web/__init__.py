"""The web app (FastAPI + Jinja2 pages, ECharts maps and charts) and its JSON API."""
