"""cms.shapes.ReadSchema: response shapes pydantic reads itself, without ninja's per-field getter."""

from dataclasses import dataclass

import pytest
from ninja import Field, Schema
from pydantic import AliasPath

from cms.shapes import ReadSchema


@dataclass
class Step:
    id: int
    title: str


@dataclass
class StepState:
    step: Step
    state: str

    @property
    def label(self) -> str:
        return f"{self.step.title} ({self.state})"


class ByNinja(Schema):
    id: int = Field(..., alias="step.id")
    title: str = Field(..., alias="step.title")
    state: str
    label: str


class ByPydantic(ReadSchema):
    id: int = Field(..., validation_alias=AliasPath("step", "id"))
    title: str = Field(..., validation_alias=AliasPath("step", "title"))
    state: str
    label: str


def test_a_read_schema_reads_what_a_ninja_schema_reads_and_names_the_same_properties():
    state = StepState(Step(7, "Shadow a call"), "available")
    assert (
        ByPydantic.model_validate(state).model_dump() == ByNinja.model_validate(state).model_dump()
    )
    assert ByPydantic.model_validate(state).model_dump() == {
        "id": 7,
        "title": "Shadow a call",
        "state": "available",
        "label": "Shadow a call (available)",
    }
    assert set(ByPydantic.model_json_schema(mode="serialization")["properties"]) == set(
        ByNinja.model_json_schema(mode="serialization", by_alias=False)["properties"]
    )


def test_a_read_schema_refuses_a_resolver_it_would_ignore():
    with pytest.raises(TypeError, match="resolve_title"):

        class Wrong(ReadSchema):
            title: str

            @staticmethod
            def resolve_title(obj) -> str:
                return obj.step.title
