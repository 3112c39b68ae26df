"""What a submitted file may be: an allowed extension whose content looks like one (a cheap check of
its first bytes, so a renamed executable is refused), within the size limit. Pure Python."""

from __future__ import annotations

import codecs
import os
import re
from typing import Final

# Extension -> the signatures its first bytes may start with; None: text, checked as UTF-8 without NUL.
# Office Open XML and OpenDocument files are ZIP archives.
_ZIP = (b"PK\x03\x04",)
SIGNATURES: Final[dict[str, tuple[bytes, ...] | None]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "zip": _ZIP,
    "docx": _ZIP,
    "xlsx": _ZIP,
    "pptx": _ZIP,
    "odt": _ZIP,
    "ods": _ZIP,
    "odp": _ZIP,
    "txt": None,
    "md": None,
    "csv": None,
}
KNOWN_EXTENSIONS: Final[frozenset[str]] = frozenset(SIGNATURES)
DEFAULT_EXTENSIONS: Final[tuple[str, ...]] = ("pdf", "docx", "odt", "txt", "md", "png", "jpg")
SNIFF_BYTES = 8192


class FileRefused(ValueError):
    """The file is not accepted; the message says why, in words a learner understands."""


def extension_of(name: str) -> str:
    return os.path.splitext(name)[1].lower().lstrip(".")


def clean_name(name: str) -> str:
    """The file's own name without any directory, control characters or quotes, at most 200 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r'[\x00-\x1f\x7f"]', "", base).strip() or "file"
    stem, dot, ext = base.rpartition(".")
    if len(base) > 200:
        base = (stem[: 199 - len(ext)] + dot + ext) if dot else base[:200]
    return base


def check_file(*, name: str, size: int, head: bytes, allowed: frozenset[str], max_bytes: int) -> str:
    """The file's extension, if the file is accepted; else ``FileRefused``."""
    extension = extension_of(name)
    if extension not in allowed or extension not in SIGNATURES:
        kinds = ", ".join(sorted(allowed)) or "none"
        raise FileRefused(f"“{clean_name(name)}”: this type of file is not accepted (accepted: {kinds}).")
    if size <= 0:
        raise FileRefused(f"“{clean_name(name)}” is empty.")
    if size > max_bytes:
        raise FileRefused(f"“{clean_name(name)}” is larger than {max_bytes // (1024 * 1024)} MB.")
    signatures = SIGNATURES[extension]
    if signatures is None:
        try:
            text = codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < SNIFF_BYTES)
        except UnicodeDecodeError:
            text = "\x00"
        if "\x00" in text:
            raise FileRefused(f"“{clean_name(name)}” is not a text file (UTF-8).")
    elif not head.startswith(signatures):
        raise FileRefused(f"“{clean_name(name)}” does not look like a .{extension} file.")
    return extension
