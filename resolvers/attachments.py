"""Attachments' content, stored by its SHA-256 under the state directory (attachments/ab/abcd…),
each file 0600 in folders 0700; the graph holds the hash, type and size (resolvers/investigations.py).

The type is read from the content's first bytes, never taken from the client: only the
kinds an investigation needs (PDF, JPEG, PNG, Word and Excel documents) are accepted, and
they are served as downloads only."""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from io import BytesIO
from pathlib import Path

from settings.private_files import private_dir, private_open

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ALLOWED = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", DOCX: ".docx", XLSX: ".xlsx"}
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class AttachmentRefused(ValueError):
    pass


def sniff(content: bytes) -> str:
    """The media type of the content, from its signature; AttachmentRefused for any other kind."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"PK\x03\x04"):
        # An Office document is a zip whose parts say which: word/ or xl/.
        try:
            names = zipfile.ZipFile(BytesIO(content)).namelist()
        except zipfile.BadZipFile:
            names = []
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return DOCX
            if any(n.startswith("xl/") for n in names):
                return XLSX
    raise AttachmentRefused("only PDF, JPEG, PNG, Word (.docx) and Excel (.xlsx) files are accepted")


def safe_filename(raw: str | None, media_type: str) -> str:
    """A name to offer in downloads: the client's base name without path or control
    characters, at most 100 characters, with the extension of the type actually stored."""
    base = os.path.basename((raw or "").replace("\\", "/"))
    stem = "".join(ch for ch in os.path.splitext(base)[0] if ch.isprintable() and ch not in '"<>:|?*;')
    return (stem.strip()[:100] or "attachment") + ALLOWED[media_type]


class AttachmentStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        if not SHA256.match(sha256):
            raise AttachmentRefused("not a content hash")
        return self.root / sha256[:2] / sha256

    def put(self, content: bytes) -> str:
        """Stores the content (once, however often it is attached) and returns its SHA-256."""
        digest = hashlib.sha256(content).hexdigest()
        path = self._path(digest)
        if not path.exists():
            private_dir(path.parent)
            partial = path.with_suffix(f".{os.getpid()}.part")
            with private_open(partial, "wb") as fh:
                fh.write(content)
            os.replace(partial, path)  # whole or not at all, for a reader at the same time
        return digest

    def get(self, sha256: str) -> bytes | None:
        path = self._path(sha256)
        return path.read_bytes() if path.exists() else None
