"""Documents and collections: upload (as ingest jobs), list, read, delete."""

from __future__ import annotations

from typing import Callable

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from api.errors import ApiError
from api.jobs import KEEP
from api.models import CollectionCreated, CollectionDeleted, DocumentInfo, DocumentWithText, Job, NewCollection, error_responses
from api.state import app_state
from index.client import connect
from index.commands import collection_size, remove_document, run_delete_collection
from index.embedding import Embedder
from index.ingest import Ingestor
from index.layout import list_collections, validate_collection_name
from index.readers import SUPPORTED_SUFFIXES
from index.store import ChunkStore, open_store
from rag.errors import DocumentNotFound, UnknownCollection
from rag.settings import IndexSettings, Settings

router = APIRouter(tags=["documents"])
ERRORS = error_responses(
    e404="Unknown document, job or collection (to delete).", e422="Invalid input: unknown collection, unsupported file type, too many files."
)


def _ingest_uploads(
    settings: Settings, embedder_for: Callable[[IndexSettings], Embedder], collection: str, files: list[tuple[str, bytes]]
) -> dict:
    store = open_store(settings, collection, for_writing=True)
    return Ingestor(store, embedder_for(store.index_settings), store.index_settings).ingest_bytes(files).as_dict()


@router.post(
    "/v1/documents", response_model=Job, status_code=202, responses={**ERRORS, 201: {"model": Job, "description": "With wait=true: the finished job."}},
    summary="Upload files into a collection (an ingest job)",
)
async def upload(
    request: Request,
    files: list[UploadFile] = File(description=(
        "One or more .txt .md .html .pdf .docx .eml .mbox .pptx .epub .csv .tsv .ipynb .xlsx .odt .rtf .vtt .srt .rst .tex .json .jsonl files "
        "(.pptx, .epub, .ipynb, .xlsx, .odt and .rtf need the readers extra)."
    )),
    collection: str | None = Query(None, description="Target collection (created if absent)."),
    wait: bool = Query(False, description="Wait for the ingest to finish and return the finished job."),
):
    state = app_state(request)
    settings = state.settings
    name = validate_collection_name(settings.collection if collection is None else collection)
    if len(files) > settings.api.max_batch_files:
        raise ApiError(422, "invalid_input", f"at most {settings.api.max_batch_files} files per upload, got {len(files)}")
    limit = int(settings.api.max_upload_mb * 2**20)
    payload: list[tuple[str, bytes]] = []
    total = 0
    for upload_file in files:
        filename = upload_file.filename or ""
        suffix = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
        if suffix not in SUPPORTED_SUFFIXES:
            raise ApiError(422, "unsupported_type", (
                f"{filename!r}: unsupported file type {suffix or '(no extension)'!r}; supported: {' '.join(SUPPORTED_SUFFIXES)}"
            ))
        data = await upload_file.read(limit + 1 - total)
        total += len(data)
        if total > limit:
            raise ApiError(413, "upload_too_large", f"upload is over the {settings.api.max_upload_mb:g} MiB limit (RAG_API__MAX_UPLOAD_MB)")
        payload.append((filename, data))
    job, future = state.submit(name, len(payload), lambda: _ingest_uploads(settings, state.embedder_for, name, payload))
    if not wait:
        return JSONResponse(job.model_dump(), status_code=202, headers={"Location": f"/v1/jobs/{job.id}"})
    import asyncio

    try:
        await asyncio.wrap_future(future)
    except Exception:  # noqa: BLE001 - the job records the failure
        pass
    finished = state.jobs.get(job.id)
    if finished.status == "failed" and finished.error is not None:
        status = 503 if finished.error.code == "store_unavailable" else 422 if finished.error.code in ("invalid_input", "fingerprint_mismatch") else 500
        raise ApiError(status, finished.error.code, finished.error.message)
    return JSONResponse(finished.model_dump(), status_code=201)


@router.get("/v1/jobs/{job_id}", response_model=Job, responses=ERRORS, summary="An ingest job's status and result")
def get_job(job_id: str, request: Request) -> Job:
    job = app_state(request).jobs.get(job_id)
    if job is None:
        raise ApiError(404, "job_not_found", f"No job {job_id!r}; the last {KEEP} jobs are kept.")
    return job


@router.get("/v1/documents", response_model=list[DocumentInfo], responses=ERRORS, summary="List the documents of a collection")
def list_documents(request: Request, collection: str | None = Query(None)) -> list[DocumentInfo]:
    store = open_store(app_state(request).settings, collection)
    return [DocumentInfo(**vars(r)) for r in sorted(store.records(), key=lambda r: r.source)]


def _not_found(store: ChunkStore, document_id: str) -> DocumentNotFound:
    return DocumentNotFound(f"No document {document_id!r} in collection {store.name!r}; GET /v1/documents lists them.")


def _record(store: ChunkStore, document_id: str):
    record = store.get_record(document_id)
    if record is None:
        raise _not_found(store, document_id)
    return record


@router.get("/v1/documents/{document_id}", response_model=DocumentWithText, responses=ERRORS, summary="A document's metadata and full text")
def get_document(document_id: str, request: Request, collection: str | None = Query(None)) -> DocumentWithText:
    store = open_store(app_state(request).settings, collection)
    record = _record(store, document_id)
    return DocumentWithText(**vars(record), text=store.document_text(record.id) or "")


@router.delete("/v1/documents/{document_id}", response_model=DocumentInfo, responses=ERRORS, summary="Remove a document and its chunks")
def delete_document(document_id: str, request: Request, collection: str | None = Query(None)) -> DocumentInfo:
    store = open_store(app_state(request).settings, collection)
    record = remove_document(store, document_id)
    if record is None:
        raise _not_found(store, document_id)
    return DocumentInfo(**vars(record))


@router.get("/v1/collections", response_model=list[str], responses=ERRORS, summary="List the collections")
def collections(request: Request) -> list[str]:
    return list_collections(connect(app_state(request).settings))


@router.post(
    "/v1/collections", response_model=CollectionCreated, status_code=201,
    responses={**ERRORS, 200: {"model": CollectionCreated, "description": "The collection already existed; nothing was changed."}},
    summary="Create an empty collection",
)
def create_collection(body: NewCollection, request: Request):
    settings = app_state(request).settings
    name = validate_collection_name(body.name)
    if name in list_collections(connect(settings)):
        return JSONResponse(CollectionCreated(name=name, created=False).model_dump(), status_code=200)
    open_store(settings, name, for_writing=True)  # stamped with the settings' fingerprint, like a first upload
    return JSONResponse(CollectionCreated(name=name, created=True).model_dump(), status_code=201)


@router.delete(
    "/v1/collections/{name}", response_model=CollectionDeleted, responses=ERRORS,
    summary="Delete a collection: its documents, chunks and vectors",
)
def delete_collection(name: str, request: Request) -> CollectionDeleted:
    state = app_state(request)
    try:
        documents, chunks = collection_size(state.settings, validate_collection_name(name))
        run_delete_collection(state.settings, name)
    except UnknownCollection as exc:
        raise ApiError(404, exc.code, str(exc)) from None
    state.forget(name)
    return CollectionDeleted(name=name, documents=documents, chunks=chunks)
