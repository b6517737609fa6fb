"""Upload checks (QUALITY.md line 12): the type is decided by the file's content, not its name or the
browser's word; the size is limited; archives are stored as they are, never expanded."""

import io
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

from waishi.core.errors import ApplicationError

# Leading bytes of the accepted types.
SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),  # .doc, .xls, .wps
]
OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
OFD = "application/ofd"  # the Chinese fixed-layout format, a zip with OFD.xml at its root


def sniff(upload) -> str | None:
    """The MIME type the content shows, or None when it is not an accepted type."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, mime_type in SIGNATURES:
        if head.startswith(signature):
            return mime_type
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()  # reads the directory only, never extracts
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            for prefix, mime_type in OOXML.items():
                if any(name.startswith(prefix) for name in names):
                    return mime_type
        if "OFD.xml" in names:
            return OFD
    return None


def check_size(upload) -> None:
    """Refuse a file larger than WAISHI_UPLOAD_MAX_BYTES (an attachment, an import)."""
    limit = settings.WAISHI_UPLOAD_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is None:  # a plain file object
        size = upload.seek(0, io.SEEK_END)
        upload.seek(0)
    if size > limit:
        raise ApplicationError(
            "too_large",
            _("The file is larger than %(limit)d MB.") % {"limit": limit // (1024 * 1024)},
        )


def check_upload(upload) -> str:
    check_size(upload)
    mime_type = sniff(upload)
    if mime_type is None:
        raise ApplicationError(
            "bad_type", _("Only PDF, OFD, JPEG, PNG, Word and Excel files can be attached.")
        )
    return mime_type
