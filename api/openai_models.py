"""OpenAI's `/v1/models`: the collections, listed as models, so that OpenAI clients (which
often list models first) find something to pick; `POST /v1/chat/completions` answers from
the collection its `model` names (`collection_for_model`)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from api.errors import ApiError
from api.models import error_responses
from api.state import app_state
from index.client import connect
from index.layout import list_collections
from rag.settings import Settings

router = APIRouter(tags=["openai"])
OWNER = "grounded-rag"
ERRORS = error_responses(e404="No collection of that name.")


class ModelCard(BaseModel):
    id: str = Field(description="A collection's name; send it as `model` to /v1/chat/completions to ask that collection.")
    object: Literal["model"] = "model"
    created: int = Field(0, description="Always 0: collections do not record when they were made.")
    owned_by: str = OWNER


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


def _collections(settings: Settings) -> list[str]:
    return list_collections(connect(settings))


def collection_for_model(settings: Settings, model: str) -> str | None:
    """The collection that `model` names; None (the default collection) for any other model
    name, such as the "rag" or "gpt-4o" that clients send by default."""
    return model if model in _collections(settings) else None


@router.get("/v1/models", response_model=ModelList, responses=ERRORS, summary="The collections, as OpenAI models")
def list_models(request: Request) -> ModelList:
    return ModelList(data=[ModelCard(id=name) for name in _collections(app_state(request).settings)])


@router.get("/v1/models/{model}", response_model=ModelCard, responses=ERRORS, summary="One collection, as an OpenAI model")
def get_model(model: str, request: Request) -> ModelCard:
    names = _collections(app_state(request).settings)
    if model not in names:
        available = ", ".join(names) if names else "none yet (upload documents to make one)"
        raise ApiError(404, "model_not_found", f"Unknown model {model!r}: the models are the collections. Available: {available}.")
    return ModelCard(id=model)
