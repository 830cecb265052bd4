"""Reads a multipart upload while it streams in and stops keeping a file as soon as it
passes the size limit. Starlette's own form parser spools every file to disk whole before
the route runs, so a 2 GB upload would be written out before anyone could refuse it.

A file over the limit is marked `too_large` (its bytes are dropped as they arrive) and
the rest of the request goes on, so the other files of a multi-file upload are still
taken; the request as a whole is refused (413) only past the limit for all its files."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from tempfile import SpooledTemporaryFile
from urllib.parse import unquote

import python_multipart
from fastapi import Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header

from api.errors import InputError, PayloadTooLarge

MIB = 1024 * 1024
#: Files kept in memory up to this size, then on disk.
_SPOOL_BYTES = MIB
_MAX_FIELD_BYTES = 64 * 1024
# Room for the part headers and boundaries around the files themselves.
_OVERHEAD_BYTES = 64 * 1024
_FILENAME_STAR = re.compile(rb"filename\*\s*=\s*([^;]+)", re.I)


@dataclass
class ReceivedFile:
    filename: str
    file: SpooledTemporaryFile
    size: int = 0
    #: Passed the per-file limit: nothing of it is kept.
    too_large: bool = False


@dataclass
class ReceivedForm:
    files: list[ReceivedFile] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)

    def close(self) -> None:
        for received in self.files:
            received.file.close()


async def read_upload_form(request: Request, *, max_file_bytes: int, max_files: int = 20,
                           file_fields: tuple[str, ...] = ("files", "file")) -> ReceivedForm:
    """The files (parts of `file_fields` that carry a filename) and the short text fields.
    Raises PayloadTooLarge naming the file that passed `max_file_bytes`, InputError for a
    body that is not multipart or holds too many files."""
    content_type = request.headers.get("content-type", "")
    kind, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise InputError("files", "multipart/form-data 형식으로 파일을 올려 주세요")
    limit_mb = max_file_bytes / MIB
    max_body = max_files * max_file_bytes + _OVERHEAD_BYTES
    too_large_body = PayloadTooLarge(f"요청이 너무 큽니다 (파일당 한도 {limit_mb:g} MB, 한 번에 {max_files}개까지)")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_body:
        raise too_large_body

    form = ReceivedForm()
    part: dict = {}

    def on_part_begin() -> None:
        part.clear()
        part.update(headers={}, name="", header_name=b"", header_value=b"", data=bytearray(), file=None)

    def on_header_field(data: bytes, start: int, end: int) -> None:
        part["header_name"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        part["header_value"] += data[start:end]

    def on_header_end() -> None:
        part["headers"][part["header_name"].lower()] = part["header_value"]
        part["header_name"], part["header_value"] = b"", b""

    def on_headers_finished() -> None:
        raw = part["headers"].get(b"content-disposition", b"")
        _, options = parse_options_header(raw)
        part["name"] = _decode(options.get(b"name", b""))
        filename = _filename(raw, options)
        if filename is not None and part["name"] in file_fields:
            if len(form.files) >= max_files:
                raise InputError("files", f"한 번에 {max_files}개까지 올릴 수 있습니다")
            received = ReceivedFile(filename, SpooledTemporaryFile(max_size=_SPOOL_BYTES))
            form.files.append(received)
            part["file"] = received

    def on_part_data(data: bytes, start: int, end: int) -> None:
        received: ReceivedFile | None = part["file"]
        if received is None:
            part["data"] += data[start:end]
            if len(part["data"]) > _MAX_FIELD_BYTES:
                raise InputError(part["name"] or "form", "입력값이 너무 깁니다")
            return
        received.size += end - start
        if received.too_large:
            return
        if received.size > max_file_bytes:
            received.too_large = True
            received.file.seek(0)
            received.file.truncate()
            return
        received.file.write(data[start:end])

    def on_part_end() -> None:
        received: ReceivedFile | None = part["file"]
        if received is not None:
            received.file.seek(0)
        elif part["name"]:
            form.fields[part["name"]] = _decode(bytes(part["data"]))

    callbacks = {"on_part_begin": on_part_begin, "on_part_data": on_part_data, "on_part_end": on_part_end,
                 "on_header_field": on_header_field, "on_header_value": on_header_value,
                 "on_header_end": on_header_end, "on_headers_finished": on_headers_finished}
    try:
        parser = python_multipart.MultipartParser(boundary, callbacks)
        received_bytes = 0
        async for chunk in request.stream():
            received_bytes += len(chunk)
            if received_bytes > max_body:  # counted as it streams: no Content-Length needed
                raise too_large_body
            parser.write(chunk)
        parser.finalize()
    except FormParserError as exc:
        form.close()
        raise InputError("files", "multipart 본문이 올바르지 않습니다") from exc
    except BaseException:
        form.close()
        raise
    return form


def _filename(raw: bytes, options: dict[bytes, bytes]) -> str | None:
    # RFC 5987 form (filename*=UTF-8''%ED%95%9C.pdf) first: some clients send only it.
    star = _FILENAME_STAR.search(raw)
    if star:
        value = star.group(1).strip().strip(b'"')
        charset, _, encoded = value.partition(b"''")
        if encoded:
            try:
                return unquote(encoded.decode("ascii"), encoding=charset.decode("ascii") or "utf-8")
            except (LookupError, UnicodeDecodeError):
                pass
    if b"filename" in options:
        return _decode(options[b"filename"])
    return None


def _decode(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")
