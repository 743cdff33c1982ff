"""The web face of ``sslmb serve``: HTML pages (``kg.endpoint.pages``), their templates and the static assets.

The assets live inside the package, so the query page works with no network: YASGUI is served from
``static/yasgui/`` (the npm build of @zazuko/yasgui, with its licences), never from a CDN.
"""

from __future__ import annotations

from pathlib import Path

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"
