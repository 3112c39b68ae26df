"""Schemas and helpers shared by every router: limit/offset pages and their headers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Schema

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Far beyond any list, and inside every database's integer range (a larger OFFSET is a 500 on SQLite).
MAX_OFFSET = 2**31 - 1


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Items per page, 1–{MAX_LIMIT}.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description=f"How many items to skip, 0–{MAX_OFFSET}.")


class Page(Schema, Generic[T]):
    items: list[T]
    count: int = Field(description="Items matching, across all pages.")
    limit: int
    offset: int


def page_of(
    request: HttpRequest, response: HttpResponse, rows: QuerySet[Any] | Sequence[Any], params: PageParams
) -> tuple[list[Any], int]:
    """Slice one page in two queries (count, rows) and set ``X-Total-Count`` and RFC 8288 ``Link``."""
    count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    items = list(rows[params.offset : params.offset + params.limit])
    response["X-Total-Count"] = str(count)
    links = []
    if params.offset + params.limit < count:
        links.append(f'<{_page_url(request, params.offset + params.limit, params.limit)}>; rel="next"')
    if params.offset > 0:
        links.append(f'<{_page_url(request, max(params.offset - params.limit, 0), params.limit)}>; rel="prev"')
    if links:
        response["Link"] = ", ".join(links)
    return items, count


def _page_url(request: HttpRequest, offset: int, limit: int) -> str:
    query = request.GET.copy()
    query["offset"] = str(offset)
    query["limit"] = str(limit)
    return request.build_absolute_uri(f"{request.path}?{urlencode(sorted(query.lists()), doseq=True)}")
