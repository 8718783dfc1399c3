"""Writes of the worker ledger other than rosters (roster.py): sources."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gigunion.core.exceptions import DomainError
from gigunion.ledger.models import Source, SourceKind
from gigunion.platforms.models import Platform


def source_for_platform(platform: Platform) -> Source:
    """The roster source of a platform partner, created the first time it is needed."""
    source = Source.objects.filter(platform=platform).first()
    if source is not None:
        return source
    name = platform.name
    if Source.objects.filter(name=name).exclude(platform=platform).exists():
        name = f"{platform.name} ({platform.code})"
    try:
        with transaction.atomic():
            return Source.objects.create(name=name, kind=SourceKind.PLATFORM, platform=platform)
    except IntegrityError:  # created meanwhile by another request
        return Source.objects.get(platform=platform)


def source_named(name: str, kind: str = SourceKind.OTHER) -> Source:
    """The source of this name, created with `kind` when new. A platform's name finds the platform's source."""
    name = name.strip()
    if not name:
        raise DomainError(_("Name the source of the roster."), code="source_required")
    if kind not in SourceKind.values:
        raise DomainError(_("Unknown kind of source."), code="source_kind")
    source = Source.objects.filter(name=name).first()
    if source is not None:
        return source
    platform = Platform.objects.filter(name=name).first() or Platform.objects.filter(code=name.lower()).first()
    if platform is not None:
        return source_for_platform(platform)
    try:
        with transaction.atomic():
            return Source.objects.create(name=name[:64], kind=kind)
    except IntegrityError:
        return Source.objects.get(name=name[:64])
