"""The real servers a lesson's examples may ask for: a fresh PostgreSQL database, a flushed Redis database.

The servers themselves are started by scripts/services (CI) or already run on the machine; the runner only
creates what one lesson needs and removes it afterwards. When a server cannot be reached, the reason is
returned so the lesson is skipped with it, never failed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache

import psycopg
import redis
from psycopg import sql

# The servers scripts/services starts or reuses (same environment variables for other ports).
POSTGRES = f"postgresql://postgres:postgres@127.0.0.1:{os.environ.get('KB_POSTGRES_PORT', '5432')}"
REDIS = f"redis://127.0.0.1:{os.environ.get('KB_REDIS_PORT', '6379')}"
# Redis has 16 numbered databases; each pytest-xdist worker takes its own, from this one up.
REDIS_FIRST_DB = int(os.environ.get("KB_EXAMPLES_REDIS_DB", "10"))


class Unavailable(Exception):
    """A server the lesson needs cannot be reached: the message says which and why."""


@cache
def postgres_problem() -> str | None:
    try:
        with psycopg.connect(f"{POSTGRES}/postgres", connect_timeout=3):
            return None
    except psycopg.Error as error:
        return f"PostgreSQL is not reachable at {POSTGRES}: {str(error).strip().splitlines()[0]}"


@cache
def redis_problem() -> str | None:
    try:
        with redis.Redis.from_url(REDIS, socket_connect_timeout=2, socket_timeout=2) as client:
            client.ping()
            return None
    except redis.RedisError as error:
        return f"Redis is not reachable at {REDIS}: {error}"


def worker_number() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker[2:]) if worker[2:].isdigit() else 0


@dataclass
class Services:
    """What one lesson was given; `environment` goes into os.environ while its blocks and tests run:
    DATABASE_URL (and TEST_DATABASE_URL, the same) for postgres, REDIS_URL for redis."""

    database: str | None = None
    environment: dict[str, str] | None = None

    @classmethod
    def provide(cls, wanted: frozenset[str], lesson: str) -> Services:
        for service, problem in (("postgres", postgres_problem), ("redis", redis_problem)):
            reason = problem() if service in wanted else None
            if reason:
                raise Unavailable(reason)
        provided = cls(environment={})
        assert provided.environment is not None
        if "postgres" in wanted:
            stem = re.sub(r"[^a-z0-9]+", "_", lesson.lower())[:40]
            # "_test" at the end: lessons may refuse to touch a database not named as one.
            provided.database = f"kbex_{stem}_{worker_number()}_{os.getpid()}_test"
            with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
                name = sql.Identifier(provided.database)
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
                admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
            url = f"{POSTGRES}/{provided.database}"
            provided.environment["DATABASE_URL"] = provided.environment["TEST_DATABASE_URL"] = url
        if "redis" in wanted:
            url = f"{REDIS}/{REDIS_FIRST_DB + worker_number()}"
            with redis.Redis.from_url(url) as client:
                client.flushdb()
            provided.environment["REDIS_URL"] = url
        return provided

    def release(self) -> None:
        """Drop the lesson's database, closing whatever connections its examples left open."""
        if self.database is None:
            return
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            name = sql.Identifier(self.database)
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        self.database = None
