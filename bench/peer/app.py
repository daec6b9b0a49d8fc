"""Peer baseline for scenario 1 of scripts/bench: the public page of a disclosure item.

GET /api/v1/disclosures/{id} answers what the Rust server answers an anonymous caller
(api/src/app/disclosures/view.rs, `published_disclosure`): the current published version
with its organisation and category names and its published interpretations, from one
statement per request. 404 when the item has no current published version, 400 when the
id is not a UUID.

Run with gunicorn and uvicorn workers (see README.md); configured by the environment:
  DATABASE_URL    postgres://user@host:port/db (required)
  PEER_POOL_SIZE  asyncpg connections per worker (default 8), opened at start-up
"""

import os
import uuid
from contextlib import asynccontextmanager

import asyncpg
import orjson
from fastapi import FastAPI
from fastapi.responses import Response

# The statement the Rust server runs for this page, with the columns the answer needs.
PUBLISHED = """
SELECT v.item_id, v.number, v.index_number, v.organization_id, v.issuing_organization_id,
       v.category_id, v.kind, v.interprets_id, v.title, v.summary, v.content, v.content_format,
       v.doc_number, v.subject_terms, v.formed_on, v.attribute, v.non_disclosure_ground,
       v.channels, v.validity, v.cadence, v.attachments, v.published_at, v.is_current,
       o.name AS organization_name, c.name AS category_name,
  (SELECT coalesce(jsonb_agg(jsonb_build_array(v2.item_id, v2.title) ORDER BY v2.published_at DESC), '[]'::jsonb)
     FROM disclosure_items i2 JOIN disclosure_versions v2 ON v2.item_id = i2.id
    WHERE i2.interprets_id = v.item_id AND v2.is_current) AS interpretations
FROM disclosure_versions v
JOIN organizations o ON o.id = v.organization_id
JOIN disclosure_categories c ON c.id = v.category_id
WHERE v.item_id = $1 AND v.is_current
"""

CACHE = {"Cache-Control": "public, max-age=60"}
# Problem details shaped as the server's (without its request id).
NOT_FOUND = orjson.dumps(
    {
        "type": "https://zhengwu.gov.cn/problems/not_found",
        "title": "Not found",
        "status": 404,
        "detail": "no such disclosure item",
        "code": "not_found",
    }
)
INVALID_ID = orjson.dumps(
    {
        "type": "https://zhengwu.gov.cn/problems/request.invalid_path",
        "title": "The request is malformed",
        "status": 400,
        "detail": "invalid path parameter: the id is not a UUID",
        "code": "request.invalid_path",
    }
)


async def no_reset(_conn):
    # asyncpg's default reset on release runs a second statement (RESET ALL, UNLISTEN *,
    # ...) for every request; the request changes no session state, so none is needed.
    return None


@asynccontextmanager
async def lifespan(app):
    size = int(os.environ.get("PEER_POOL_SIZE", "8"))
    # asyncpg prepares each statement once per connection (its statement cache).
    app.state.pool = await asyncpg.create_pool(
        os.environ["DATABASE_URL"], min_size=size, max_size=size, reset=no_reset
    )
    try:
        yield
    finally:
        await app.state.pool.close()


app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)


def rfc3339(t):
    """A UTC timestamp as chrono writes it: 'Z', and 0, 3 or 6 fractional digits."""
    s = t.isoformat()[:-6]  # asyncpg gives timestamptz in UTC: '...+00:00'
    us = t.microsecond
    if us and us % 1000 == 0:
        s = s[:-3]
    return s + "Z"


def attachments_of(item, recorded):
    """The recorded attachments, each with its download address."""
    items = orjson.loads(recorded)
    if not isinstance(items, list):
        return []
    for a in items:
        if isinstance(a, dict) and isinstance(a.get("id"), str):
            a["url"] = f"/api/v1/disclosures/{item}/attachments/{a['id']}"
    return items


def problem(body, status):
    return Response(body, status_code=status, media_type="application/problem+json")


@app.get("/api/v1/disclosures/{id}")
async def published(id: str):
    try:
        key = uuid.UUID(id)
    except ValueError:
        return problem(INVALID_ID, 400)
    r = await app.state.pool.fetchrow(PUBLISHED, key)
    if r is None:
        return problem(NOT_FOUND, 404)
    # orjson writes uuid.UUID but not asyncpg's subclass of it: the ids go as strings.
    item = str(r["item_id"])
    interprets = r["interprets_id"]
    body = {
        "id": item,
        "number": r["number"],
        "index_number": r["index_number"],
        "organization_id": str(r["organization_id"]),
        "issuing_organization_id": str(r["issuing_organization_id"]),
        "category_id": str(r["category_id"]),
        "kind": r["kind"],
        "interprets_id": None if interprets is None else str(interprets),
        "title": r["title"],
        "summary": r["summary"],
        "content": r["content"],
        "content_format": r["content_format"],
        "doc_number": r["doc_number"],
        "subject_terms": r["subject_terms"],
        "formed_on": r["formed_on"],
        "attribute": r["attribute"],
        "non_disclosure_ground": r["non_disclosure_ground"],
        "channels": r["channels"],
        "validity": r["validity"],
        "cadence": r["cadence"],
        "organization_name": r["organization_name"],
        "category_name": r["category_name"],
        "published_at": rfc3339(r["published_at"]),
        "attachments": attachments_of(item, r["attachments"]),
        "interpretations": [
            {"id": i, "title": t} for i, t in orjson.loads(r["interpretations"])
        ],
        "current": r["is_current"],
    }
    return Response(orjson.dumps(body), media_type="application/json", headers=CACHE)
