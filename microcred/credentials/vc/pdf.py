"""The credential a PDF carries as an embedded file (ISO 32000 §7.11.4, the ``EmbeddedFiles``
name tree; PDF/A-3 calls them associated files).

Our certificates attach ``credential.json`` (``application/vc+ld+json``) and ``credential.jwt``
(``application/vc+jwt``); other issuers name theirs as they like, so any attachment whose MIME
type or file name says JSON or JWT is a candidate: a JSON credential first (it carries the Data
Integrity proof), else a VC-JWT. Only the attachment is ever read: the page's text and pictures
are what a forger would change, and mean nothing to the verifier.

The PDF is parsed by pypdf (pure Python); whatever a broken or hostile file makes it raise
becomes :class:`MalformedCredential`. Callers cap the input's size, and the web runs this in
the sandbox with a CPU budget (``verification/sandbox.py``).
"""

from __future__ import annotations

import io

from .errors import MalformedCredential

PDF_HEADER = b"%PDF-"
_JSON_TYPES = frozenset({"application/vc+ld+json", "application/vc", "application/ld+json", "application/json"})
_JWT_TYPES = frozenset({"application/vc+jwt", "application/jwt", "application/jose"})
_PREFERRED_NAMES = ("credential.json", "credential.jwt")


def is_pdf(data: bytes) -> bool:
    """Whether ``data`` opens like a PDF (readers allow a little junk or whitespace before it;
    we allow whitespace only, so a JSON file naming "%PDF-" is never taken for one)."""
    return data[:1024].lstrip().startswith(PDF_HEADER)


def extract_pdf_credential(data: bytes, *, max_bytes: int) -> str:
    """The text of the credential attached to the PDF ``data`` (JSON or a compact JWS)."""
    if len(data) > max_bytes:
        raise MalformedCredential(f"the PDF is larger than {max_bytes} bytes")
    from pypdf import PdfReader  # here, not at the top: most presented files are not PDFs

    candidates: list[tuple[int, str, bytes]] = []
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise MalformedCredential("the PDF is encrypted, so its attachments cannot be read")
        for attachment in reader.attachment_list:
            rank = _rank(attachment.name, attachment.subtype)
            if rank is not None:
                candidates.append((rank, attachment.name, attachment.content))
    except MalformedCredential:
        raise
    except Exception as exc:  # pypdf raises whatever a malformed file makes it hit
        raise MalformedCredential(f"the PDF cannot be read: {exc or type(exc).__name__}") from exc
    if not candidates:
        raise MalformedCredential(
            "the PDF carries no embedded credential (an attached credential.json or VC-JWT file); "
            "its printed text cannot be verified"
        )
    _rank_value, name, content = min(candidates, key=lambda candidate: candidate[0])
    if len(content) > max_bytes:
        raise MalformedCredential(f"the PDF's attached {name} is larger than {max_bytes} bytes")
    try:
        text = content.decode("utf-8-sig").strip()
    except UnicodeDecodeError as exc:
        raise MalformedCredential(f"the PDF's attached {name} is not UTF-8 text") from exc
    if not text:
        raise MalformedCredential(f"the PDF's attached {name} is empty")
    return text


def _rank(name: str, subtype: str | None) -> int | None:
    """Lower is preferred: our own file names, then a JSON credential, then a JWT; None: not one."""
    mime = (subtype or "").lstrip("/").lower()
    lowered = name.lower()
    if lowered in _PREFERRED_NAMES:
        return _PREFERRED_NAMES.index(lowered)
    if mime in _JSON_TYPES or lowered.endswith((".json", ".jsonld")):
        return 2
    if mime in _JWT_TYPES or lowered.endswith((".jwt", ".jws")):
        return 3
    return None
