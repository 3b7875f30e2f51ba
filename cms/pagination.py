"""Page-number pagination with bounds a client cannot overflow (a page beyond 64 bits was a 500)."""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 1_000_000


class Pages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="1-based page number.")
        page_size: int | None = Field(
            None, ge=1, le=100, description="Items per page (default 20, at most 100)."
        )
