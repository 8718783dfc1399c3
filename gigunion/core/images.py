"""Uploaded photos: decoded by Pillow (so a disguised file is refused), bounded in size, turned upright and
re-encoded as JPEG without EXIF or any other metadata (no location or camera data is kept or served)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from gigunion.core.exceptions import DomainError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
LONG_SIDE = 1600
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "HEIF", "MPO"}


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    width: int
    height: int


def image_clean(data: bytes) -> CleanImage:
    """The photo re-encoded without metadata, at most LONG_SIDE pixels on its long side; DomainError otherwise."""
    if not data:
        raise DomainError(_("The file is empty."), code="empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise DomainError(_("A photo may be at most 10 MB."), code="too_large")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise DomainError(_("Only JPEG, PNG or WebP photos are accepted."), code="format")
            if probe.width * probe.height > MAX_PIXELS:
                raise DomainError(_("The photo has too many pixels."), code="too_large")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            upright = upright.convert("RGB")
            upright.thumbnail((LONG_SIDE, LONG_SIDE))
            out = io.BytesIO()
            upright.save(out, format="JPEG", quality=82, optimize=True)  # no exif= : nothing is carried over
            return CleanImage(
                data=out.getvalue(), content_type="image/jpeg", width=upright.width, height=upright.height
            )
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise DomainError(_("This file is not a photo that can be read."), code="format") from None
