"""A build manifest: what a build published, so two builds can be compared (`kb diff`).

Every output file with a digest of its bytes, and per lesson what a reviewer cares about: its title,
source, terms, related lessons, backlinks and old slugs. Written as sorted, indented JSON: the same build
gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from builder.diagnostics import Diagnostic
from builder.graph import SiteGraph

FORMAT = "kb-manifest/1"


def file_digests(out_dir: Path) -> dict[str, str]:
    """Every file under out_dir by its POSIX path relative to it, with a short digest of its bytes."""
    digests: dict[str, str] = {}
    for root, dirs, names in os.walk(out_dir):
        dirs.sort()
        for name in sorted(names):
            path = Path(root, name)
            if path.is_symlink() or not path.is_file():
                continue
            relative = path.relative_to(out_dir).as_posix()
            digests[relative] = hashlib.sha256(path.read_bytes()).hexdigest()[:20]
    return digests


def lesson_records(graph: SiteGraph) -> dict[str, dict[str, Any]]:
    records: dict[str, dict[str, Any]] = {}
    for slug, lesson in sorted(graph.lessons.items()):
        meta = lesson.source.meta
        records[slug] = {
            "title": meta.title,
            "source": lesson.source.path,
            "digest": lesson.source.digest,  # of the file: any edit to the lesson changes it
            "url": lesson.url,
            "topics": list(meta.topics),
            "skills": list(meta.skills),
            "aliases": list(getattr(meta, "aliases", ())),
            "related": [relation.slug for relation in graph.related.get(slug, ())],
            "backlinks": list(graph.backlinks.get(slug, ())),
        }
    return records


def make_manifest(out_dir: Path, graph: SiteGraph, diagnostics: list[Diagnostic]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "files": file_digests(out_dir),
        "lessons": lesson_records(graph),
        "diagnostics": [asdict(d) for d in sorted(diagnostics)],
    }


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


class ManifestError(ValueError):
    """A file that is not a readable kb manifest."""


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ManifestError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path} is not a kb manifest: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ManifestError(f"{path} is not a kb manifest (expected format {FORMAT})")
    for key in ("files", "lessons"):
        if not isinstance(data.get(key), dict):
            raise ManifestError(f"{path} is not a kb manifest: '{key}' is missing")
    if not isinstance(data.get("diagnostics"), list):
        raise ManifestError(f"{path} is not a kb manifest: 'diagnostics' is missing")
    return data
