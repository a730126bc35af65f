"""Generate a synthetic knowledge base for benchmarks: N lessons, deterministic by seed.

Each lesson is about 8.5 KB of Markdown: headings, lists, a table, code blocks, relative and wiki links,
1-3 topics and 1-4 skills. The result is a site folder kb builds as it is:

    python -m benchmarks.generate --lessons 10000 --out /tmp/corpus-10k
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from pathlib import Path

TOPICS = [f"topic-{i:02d}" for i in range(12)]
SKILLS = [f"skill-{i:02d}" for i in range(36)]
WORDS = [
    *("request", "response", "latency", "queue", "worker", "retry", "timeout", "cache", "index", "query"),
    *("plan", "pool", "session", "deploy", "rollback", "metric", "trace", "log", "budget", "error"),
    *("client", "server", "replica", "shard", "lock", "commit", "schema", "migration", "token", "limit"),
    *("backoff", "jitter", "circuit", "breaker", "health", "probe", "container", "image", "build"),
    *("pipeline", "flag", "test"),
]
FOLDERS = 20


def lesson_path(index: int) -> str:
    return f"content/area-{index % FOLDERS:02d}/lesson-{index:06d}.md"


def _sentence(rng: random.Random, words: int = 14) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng, rng.randint(10, 18)) for _ in range(rng.randint(3, 5)))


def lesson(index: int, total: int, rng: random.Random) -> str:
    day = dt.date(2020, 1, 1) + dt.timedelta(days=index % 2400)
    topics = rng.sample(TOPICS, rng.randint(1, 3))
    skills = rng.sample(SKILLS, rng.randint(1, 4))
    other = [rng.randrange(total) for _ in range(3)]
    folder = index % FOLDERS
    relative = [
        f"../area-{o % FOLDERS:02d}/lesson-{o:06d}.md" if o % FOLDERS != folder else f"lesson-{o:06d}.md"
        for o in other
    ]
    parts = [
        "---",
        f"title: Lesson {index} on {rng.choice(WORDS)} and {rng.choice(WORDS)}",
        f"date: {day.isoformat()}",
        f"summary: {_sentence(rng, 20)}",
        f"topics: [{', '.join(topics)}]",
        f"skills: [{', '.join(skills)}]",
        f"level: {rng.choice(['beginner', 'intermediate', 'advanced'])}",
        "---",
        _paragraph(rng),
    ]
    for section in range(4):
        parts += [f"## Section {section}", _paragraph(rng), _paragraph(rng), _paragraph(rng)]
        parts += [f"- {_sentence(rng, 10)}" for _ in range(5)]
        parts.append("")
        if section == 1:
            parts += ["| Setting | Value | Why |", "|---|---|---|"]
            parts += [
                f"| {rng.choice(WORDS)} | {rng.randint(1, 500)} ms | {_sentence(rng, 6)} |" for _ in range(4)
            ]
            parts.append("")
        if section in (0, 2):
            parts += [
                "```python",
                f"def handle_{section}(request: dict[str, int], limit: int = {rng.randint(2, 90)})"
                " -> list[int]:",
                "    values = [v for v in request.values() if v < limit]",
                "    for value in sorted(values):",
                f'        print("{rng.choice(WORDS)}", value)',
                "    return values",
                "```",
                "",
            ]
        if section == 3:
            parts.append(
                f"See [the related lesson]({relative[0]}), [this one]({relative[1]}#section-1) "
                f"and [[lesson-{other[2]:06d}]]."
            )
    return "\n".join(parts) + "\n"


def site_yml(paths: int) -> str:
    lines = ["title: Benchmark corpus", "base_url: https://bench.example/kb/", "topics:"]
    lines += [f"  {t}: {{title: Topic {t[-2:]}, description: Synthetic topic.}}" for t in TOPICS]
    lines.append("skills:")
    lines += [f"  {s}: {{title: Skill {s[-2:]}, description: Synthetic skill.}}" for s in SKILLS]
    lines.append("paths:")
    for p in range(paths):
        steps = ", ".join(f"lesson-{p * 7 + i:06d}" for i in range(7))
        lines.append(f"  path-{p}: {{title: Path {p}, description: Synthetic path., lessons: [{steps}]}}")
    return "\n".join(lines) + "\n"


def generate(out: Path, lessons: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    for folder in range(min(FOLDERS, lessons)):
        (out / "content" / f"area-{folder:02d}").mkdir(parents=True)
    (out / "site.yml").write_text(site_yml(min(3, lessons // 7)), encoding="utf-8")
    for index in range(lessons):
        (out / lesson_path(index)).write_text(lesson(index, lessons, rng), encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lessons", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    generate(args.out, args.lessons, args.seed)
    print(f"{args.lessons} lessons in {args.out}")


if __name__ == "__main__":
    main()
