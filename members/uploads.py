"""Attachments (meeting material, progress evidence): what may be uploaded and how it is served.

Only PDF and common images, checked by their first bytes as well as their name, and at most
``ATTACHMENT_MAX_BYTES``. Files are never served from a public URL: a view checks that the
person may see the object the file belongs to, then returns ``attachment_response``.
"""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# extension -> (content type, magic prefixes)
ALLOWED = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}
ALLOWED_HELP = gettext_lazy("PDF, PNG or JPEG")


def max_bytes() -> int:
    return getattr(settings, "ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)


def validate_attachment(upload) -> None:
    """Raise a ValidationError in the user's language unless ``upload`` is an allowed file."""
    name = os.path.basename(upload.name or "")
    extension = os.path.splitext(name)[1].lower()
    if extension not in ALLOWED:
        raise ValidationError(_("“%(name)s” is not allowed: upload a PDF, PNG or JPEG file.") % {"name": name},
                              code="file_type")
    if upload.size > max_bytes():
        raise ValidationError(
            _("“%(name)s” is %(size)s; files may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes())},
            code="file_size")
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="file_empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(ALLOWED[extension][1]):
        raise ValidationError(
            _("“%(name)s” is not really a %(kind)s file.") % {"name": name, "kind": extension[1:].upper()},
            code="file_content")


def attachment_path(prefix: str, filename: str) -> str:
    """A storage path that never reuses the uploader's file name (it is kept in the model)."""
    extension = os.path.splitext(filename)[1].lower()
    return f"{prefix}/{uuid.uuid4().hex}{extension}"


def attachment_response(fieldfile, filename: str, *, inline: bool = True) -> FileResponse:
    """Stream a stored attachment with the right type; the caller has checked permission."""
    extension = os.path.splitext(fieldfile.name)[1].lower()
    content_type = ALLOWED.get(extension, ("application/octet-stream",))[0]
    response = FileResponse(fieldfile.open("rb"), content_type=content_type, as_attachment=not inline,
                            filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
