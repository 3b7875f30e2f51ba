"""Response shapes read straight from domain objects by pydantic itself (the hot path's schemas).

A ninja Schema wraps every object it reads in a DjangoGetter: a Python call per field, and a Django
template Variable built for every dotted alias (`alias="step.id"`), which made serialising a
journey cost more than computing it. A ReadSchema leaves ninja's wrapper out, so pydantic-core reads
the attributes itself (`from_attributes`), and a nested value is named by its path
(`validation_alias=AliasPath("step", "id")`). What the wrapper did that this does not: call
`resolve_*` methods (refused below: compute the value on the domain object instead), turn related
managers and querysets into lists, and call callables. The OpenAPI is the same: a validation alias
names no property of a response.
"""

from typing import Any

from ninja import Schema
from pydantic import ModelWrapValidatorHandler, ValidationInfo, model_validator


class ReadSchema(Schema):
    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(
        cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo
    ) -> Any:
        # Replaces ninja's validator of the same name: no DjangoGetter around `values`.
        return handler(values)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        # ninja collects resolvers after pydantic has built the class: look for them by name.
        resolvers = [
            name
            for klass in cls.__mro__
            for name, value in vars(klass).items()
            if name.startswith("resolve_") and (callable(value) or isinstance(value, staticmethod))
        ]
        if resolvers:
            names = ", ".join(sorted(set(resolvers)))
            raise TypeError(
                f"{cls.__name__} is a ReadSchema and would ignore {names}: compute it on the "
                "object it reads, or make it a ninja Schema."
            )
