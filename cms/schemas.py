"""The content API's shapes, read from the domain objects themselves (a MicroModule, a SearchHit)."""

from typing import Any, Literal

from ninja import Field, Schema

from cms.fields import Id

MAX_QUERY_LENGTH = 200


class JobTaskRef(Schema):
    id: int
    name: str


class ModuleSummaryOut(Schema):
    id: int
    title: str
    summary: str
    estimated_minutes: int
    job_tasks: list[JobTaskRef]


class BlockOut(Schema):
    type: str
    id: str | None = Field(
        description="The block's stable StreamField id; practice cards follow it."
    )
    value: Any


class ModuleOut(ModuleSummaryOut):
    last_published_at: str | None
    body: list[BlockOut]

    @staticmethod
    def resolve_last_published_at(module) -> str | None:
        return module.last_published_at.isoformat() if module.last_published_at else None

    @staticmethod
    def resolve_body(module, context) -> list:
        # Image and page blocks build absolute URLs from the request.
        request = context["request"] if context else None
        return module.body.stream_block.get_api_representation(
            module.body, context={"request": request}
        )


class ModuleFilters(Schema):
    job_task: Id | None = Field(None, description="Only modules tied to this job task.")
    event: Id | None = Field(None, description="Only modules in this change event's journey.")
    q: str | None = Field(
        None,
        max_length=MAX_QUERY_LENGTH,
        description="Full-text filter over title, summary, body and job tasks; best match first.",
    )


class SearchResultOut(Schema):
    kind: Literal["module", "job_task"]
    id: int
    title: str
    summary: str = ""
    estimated_minutes: int | None = None
    module_ids: list[int] = Field(
        default_factory=list, description="For a job task: modules that teach it."
    )
    promoted: bool = False


class SearchOut(Schema):
    query: str
    results: list[SearchResultOut]
