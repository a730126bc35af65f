"""kb: a static-site generator for a curated knowledge base of engineering lessons."""

from __future__ import annotations

__version__ = "0.1.0"
