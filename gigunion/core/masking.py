"""Masked display of personal data. Masked is the default everywhere."""

from __future__ import annotations


def mask_id_number(number: str) -> str:
    """5101**********123X: region prefix and last four kept, birth date hidden."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str) -> str:
    """138****8000."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_name(name: str) -> str:
    """张*, 张*丰, 买****力: the first character, and the last one for names of three or more."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
