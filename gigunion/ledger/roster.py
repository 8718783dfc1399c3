"""Taking in worker rosters (用工人员名册, FORMATS.md) from files and from the platform API (ADR 0008).

A roster row says: this person (name, ID number, phone) works as this occupation in this region, for
this employer, on this platform with this platform id, and is (or is not) at work. Rows are checked
one by one with the messages every other form uses; valid rows go into the ledger:

- the person's Worker, found by the blind index of the ID number (its primary key *is* that index
  read as a number): created, or brought up to date with what the row states. A blank cell states
  nothing (a phone or employer another source gave is kept); a roster older than what the ledger
  already holds (`as_of` before the worker's last_seen) changes nothing but first_seen;
- the Sighting of the person by this source, with the platform id and first and last seen dates.

A row counts as imported when this source lists the person for the first time, updated when it
changes something, unchanged otherwise; importing the same file again writes nothing.

Speed is the point (a province pushes millions of rows): rows are streamed, checked with a fast path
that falls back to the shared checks for the message when a value is wrong, and written in chunks
sorted by key with one read and one executemany per table. A file is read through once before
anything is written, so a file that cannot be read, or breaks part-way, leaves the ledger as it was.
Rows then commit every COMMIT_ROWS (progress is reported per chunk, outside the transaction), and an
import killed part-way keeps the transactions it finished: running it again completes it (what is
done reads unchanged).
An API batch is one transaction: all or nothing.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from operator import mul
from typing import Any, NamedTuple

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gigunion.core import crypto
from gigunion.core.db import analyze, bulk_write_cache
from gigunion.core.exceptions import DomainError
from gigunion.core.forked import fork_safe, forked_items
from gigunion.core.imports import ImportReport, ProgressCallback, cycle_collector_paused
from gigunion.core.models import AuditAction
from gigunion.core.occupations import OCCUPATION_NAMES, Occupation
from gigunion.core.services import audit_record
from gigunion.core.tabular import Column, RowError, stream_table
from gigunion.core.validators import CreditCodeError, normalize_text, parse_credit_code
from gigunion.enterprises.models import Enterprise
from gigunion.ledger.models import RosterBatch, Sighting, Source, Worker, worker_key
from gigunion.members.checks import Lookups, id_number_error, phone_error
from gigunion.members.identity import normalize_name, plausible_name
from gigunion.members.imports import MEMBER_COLUMNS
from gigunion.members.selectors import ID_INDEX_PURPOSE
from gigunion.platforms.models import Platform

# The roster's columns are the member list's first ten (FORMATS.md: the member list is the roster plus).
ROSTER_COLUMNS = [
    *MEMBER_COLUMNS[:9],
    Column("active", "在岗", help="是/否，默认是"),
]
assert [column.key for column in ROSTER_COLUMNS] == [
    "name",
    "id_number",
    "phone",
    "occupation",
    "platform",
    "external_id",
    "employer",
    "employer_credit_code",
    "work_region",
    "active",
]
HEADER = {column.key: column.header for column in ROSTER_COLUMNS}
(_NAME, _ID, _PHONE, _OCCUPATION, _PLATFORM, _EXTERNAL_ID, _EMPLOYER, _CREDIT_CODE, _REGION, _ACTIVE) = range(10)

# Rows written at a time: sorted by key, one read and one executemany per table.
CHUNK = 10_000
# Rows per transaction of a file import. A worker's key is a hash, so every chunk lands all over the
# table, and each commit writes out nearly every page it touched: committing every chunk would write a
# big table out again and again. A few large transactions write each page a few times; progress is
# reported per chunk all the same (through the jobs' progress cache, outside the transaction).
# On PostgreSQL every chunk commits: each row's tally trigger updates the same few tally rows, and
# within one transaction each update adds a row version no one can prune yet, so a long transaction
# makes every later update walk a longer chain.
COMMIT_ROWS = 250_000
COMMIT_ROWS_POSTGRESQL = CHUNK
# After writing this many rows, refresh the planner's statistics (a first import of a big roster).
_ANALYZE_AFTER = 50_000
# A file of at least this many rows is checked in a forked process while this one writes (core.forked).
FORK_ROWS = 2 * CHUNK
# Distinct values remembered per kind (names, platforms, credit codes, employers found): a file of
# millions of distinct ones must not hold them all.
_CACHE_LIMIT = 200_000

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_PERMITS = ("81", "82", "83")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_ACTIVE_WORDS = {
    "": True,
    "是": True,
    "在岗": True,
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "否": False,
    "离岗": False,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
}
_OCCUPATIONS: dict[str, str] = {
    **{name: str(occupation.value) for name, occupation in OCCUPATION_NAMES.items()},
    **{str(value): str(value) for value in Occupation.values},
}


def _weighted(digits: str, offset: int) -> int:
    """What `digits`, starting at position `offset` of an ID number, add to its check sum (GB 11643)."""
    return sum(map(mul, map(int, digits), _ID_WEIGHTS[offset:]))


def _clean(text: str) -> str:
    """A cell as the validators see it: ASCII only needs stripping; the rest is NFKC-normalized."""
    return text.strip() if text.isascii() else normalize_text(text)


class RosterRow(NamedTuple):
    """One valid roster row, ready to write: checked and keyed.

    A plain tuple underneath: a chunk of them travels cheaply from the process that checks rows to
    the one that writes them (core.forked). Which employer the row names is found when it is written.
    """

    number: int  # row in the file (header = 1), or index in an API batch
    key: int
    id_index: str  # the blind index of the ID number
    said: str  # a keyed digest of everything the row says, as text
    name: str
    id_number: str
    phone: str  # "" when the row gives none
    phone_digest: str  # "" when the row gives no phone
    occupation: str
    platform: str
    external_id: str
    credit_code: str  # the employer's unified social credit code, normalized; "" when none
    employer_name: str
    region: str
    active: bool
    birth_year: int
    sex: str
    origin: str


class RosterChecker:
    """Checks roster rows (cells in ROSTER_COLUMNS order), remembering every lookup across a file."""

    def __init__(
        self,
        *,
        today: date,
        scope_prefix: str = "",
        scope_message: str = "",
        platform_name: str = "",
        lookups: Lookups | None = None,
    ) -> None:
        self.today = today
        self.scope_prefix = scope_prefix
        self.scope_message = scope_message or _("This region is outside your jurisdiction.")
        self.platform_name = platform_name
        self.lookups = lookups or Lookups()
        self.index_of = crypto.blind_indexer(purpose=ID_INDEX_PURPOSE)
        self.phone_digest = crypto.short_digester(purpose="ledger.phone")
        self.said_digest = crypto.short_digester(purpose="ledger.row")
        self._names: dict[str, tuple[str, bool]] = {}
        self._births: dict[str, tuple[int | None, int]] = {}
        self._heads: dict[str, tuple[bool, int]] = {}
        self._tails: dict[str, int] = {}
        self._employer_names: dict[str, str] = {}
        self._platforms: dict[str, str] = {}
        self._regions: dict[str, tuple[str, str]] = {}  # code text -> (code, message)
        self._credit: dict[str, tuple[str, str]] = {}  # cell text -> (code, message)
        self._occupations: dict[str, str] = {}
        self._active: dict[str, int] = {}

    def check(self, number: int, cells: Sequence[str]) -> tuple[RosterRow | None, list[RowError]]:
        # The common case costs dictionary lookups: every distinct cell text is checked once and the
        # answer remembered; messages are only translated for rows that need them.
        name_ok = self._names.get(cells[_NAME]) or self._name(cells[_NAME])
        id_number, birth_year, id_message = self._id_number(cells[_ID])
        phone = cells[_PHONE]
        if phone and not (len(phone) == 11 and _MOBILE.fullmatch(phone)):
            phone = _clean(phone)
        occupation = self._occupations.get(cells[_OCCUPATION])
        if occupation is None:
            occupation = self._occupation(cells[_OCCUPATION])
        region = self._regions.get(cells[_REGION]) or self._region(cells[_REGION])
        credit_text = cells[_CREDIT_CODE]
        credit = (self._credit.get(credit_text) or self._credit_code(credit_text)) if credit_text else None
        active = self._active.get(cells[_ACTIVE])
        if active is None:
            active = self._active_word(cells[_ACTIVE])

        if (
            not name_ok[1]
            or id_message
            or (phone and not _MOBILE.fullmatch(phone))
            or not occupation
            or region[1]
            or (credit is not None and credit[1])
            or active < 0
        ):
            return None, self._errors(number, cells, name_ok, id_message, phone, occupation, region, credit, active)

        assert birth_year is not None
        region_code = region[0]
        credit_code = credit[0] if credit is not None else ""
        employer_name = cells[_EMPLOYER]
        if employer_name:
            employer_name = self._employer_names.get(employer_name) or self._employer_name(employer_name)
        index = self.index_of(id_number)
        name = name_ok[0]
        platform = cells[_PLATFORM]
        platform = (self._platforms.get(platform) or self._platform(platform)) if platform else self.platform_name
        external_id = cells[_EXTERNAL_ID]
        if external_id:
            external_id = _clean(external_id)[:64]
        at_work = active == 1
        said = self.said_digest(
            "\x1f".join(
                (name, phone, occupation, platform, external_id, credit_code, employer_name, region_code, str(active))
            )
        )
        return (
            RosterRow(
                number,
                worker_key(index),
                index,
                said,
                name,
                id_number,
                phone,
                self.phone_digest(phone) if phone else "",
                occupation,
                platform,
                external_id,
                credit_code,
                employer_name,
                region_code,
                at_work,
                birth_year,
                "male" if int(id_number[16]) % 2 else "female",
                id_number[:6],
            ),
            [],
        )

    def _errors(
        self,
        number: int,
        cells: Sequence[str],
        name_ok: tuple[str, bool],
        id_message: str,
        phone: str,
        occupation: str,
        region: tuple[str, str],
        credit: tuple[str, str] | None,
        active: int,
    ) -> list[RowError]:
        """Every message of a rejected row, in column order."""
        required = _("This field is required.")
        errors: list[RowError] = []
        if not name_ok[0]:
            errors.append(RowError(number, HEADER["name"], required))
        elif not name_ok[1]:
            errors.append(
                RowError(number, HEADER["name"], _("A name is 2 to 30 Chinese characters or letters (· allowed)."))
            )
        if id_message:
            errors.append(RowError(number, HEADER["id_number"], id_message))
        if phone and not _MOBILE.fullmatch(phone):
            _phone, message = phone_error(phone, required=False)
            if message:
                errors.append(RowError(number, HEADER["phone"], message))
        if not occupation:
            text = _("Choose an occupation from the list.") if cells[_OCCUPATION].strip() else required
            errors.append(RowError(number, HEADER["occupation"], text))
        if region[1]:
            errors.append(RowError(number, HEADER["work_region"], region[1]))
        if credit is not None and credit[1]:
            errors.append(RowError(number, HEADER["employer_credit_code"], credit[1]))
        if active < 0:
            errors.append(RowError(number, HEADER["active"], _("Write 是 (yes) or 否 (no).")))
        return errors

    # Each of these answers one distinct cell text and is remembered.

    def _occupation(self, raw: str) -> str:
        code = _OCCUPATIONS.get(_clean(raw), "")
        self._occupations[raw] = code
        return code

    def _active_word(self, raw: str) -> int:
        """1 at work, 0 not, -1 not a yes or no."""
        answer = _ACTIVE_WORDS.get(_clean(raw).casefold())
        value = -1 if answer is None else int(answer)
        self._active[raw] = value
        return value

    def _platform(self, raw: str) -> str:
        name = _clean(raw)[:64]
        if len(self._platforms) < _CACHE_LIMIT:
            self._platforms[raw] = name
        return name

    def _employer_name(self, raw: str) -> str:
        name = _clean(raw)[:128]
        if len(self._employer_names) < _CACHE_LIMIT:
            self._employer_names[raw] = name
        return name

    def _name(self, raw: str) -> tuple[str, bool]:
        name = normalize_name(raw)
        answer = (name, plausible_name(name))
        if len(self._names) < _CACHE_LIMIT:
            self._names[raw] = answer
        return answer

    def _id_number(self, raw: str) -> tuple[str, int | None, str]:
        """(ID number, birth year, "") for a valid one; ("", None, message) otherwise."""
        number = raw if len(raw) == 18 and raw.isdigit() else _clean(raw).upper()
        if len(number) == 18 and number[:17].isdigit():
            # The check sum in three cached parts: the address code and birth date repeat across a roster.
            head, birth, tail = number[:6], number[6:14], number[14:17]
            known, head_sum = self._heads.get(head) or self._head(head)
            year, birth_sum = self._births.get(birth) or self._birth(birth)
            tail_sum = self._tails.get(tail)
            if tail_sum is None:
                tail_sum = self._tails[tail] = _weighted(tail, 14)
            if _ID_CHECK_CHARS[(head_sum + birth_sum + tail_sum) % 11] == number[17] and year is not None and known:
                return number, year, ""
        if not raw.strip():
            return "", None, str(_("This field is required."))
        # Not the common shape: the shared check says exactly what is wrong (or accepts, e.g. with spaces).
        info, message = id_number_error(raw, today=self.today, lookups=self.lookups)
        if info is None:
            return "", None, message
        return info.number, info.birth_date.year, ""

    def _birth(self, text: str) -> tuple[int | None, int]:
        """(birth year or None when not a date from 1900 to today, the digits' part of the check sum)."""
        try:
            born = datetime.strptime(text, "%Y%m%d").date()
        except ValueError:
            born = None
        year = born.year if born is not None and date(1900, 1, 1) <= born <= self.today else None
        answer = self._births[text] = (year, _weighted(text, 6))
        return answer

    def _head(self, code: str) -> tuple[bool, int]:
        """(whether the address code is or ever was issued, the digits' part of the check sum)."""
        # ID numbers keep the code of the year they were issued; residence permits of Hong Kong, Macao
        # and Taiwan residents begin 81, 82, 83.
        known = code.startswith(_PERMITS) or self.lookups.code_known(code)
        answer = self._heads[code] = (known, _weighted(code, 0))
        return answer

    def _region(self, raw: str) -> tuple[str, str]:
        code = _clean(raw)
        if not code:
            answer = ("", _("This field is required."))
        else:
            found = self.lookups.region_code(code)
            if found is None:
                answer = ("", _("This is not a current 6, 9 or 12-digit region code."))
            elif not found.startswith(self.scope_prefix):
                answer = ("", self.scope_message)
            else:
                answer = (found, "")
        self._regions[raw] = answer
        return answer

    def _credit_code(self, raw: str) -> tuple[str, str]:
        try:
            answer = (parse_credit_code(raw), "")
        except CreditCodeError:
            answer = ("", _("The employer's unified social credit code is not valid (18 characters, GB 32100)."))
        if len(self._credit) < _CACHE_LIMIT:
            self._credit[raw] = answer
        return answer


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------

ROW_IMPORTED, ROW_UPDATED, ROW_UNCHANGED = "imported", "updated", "unchanged"


# What a worker row holds that a roster row may change, as read back: (id_number_index, name,
# phone_digest, occupation, region, employer_id, employer_name, active, first_seen, last_seen), dates
# as ISO text (compared as text, never parsed).
_Stored = tuple[str, str, str, str, str, "int | None", str, bool, str, str]
# A sighting as read back: (pk, digest, platform, external_id, active, first_seen, last_seen).
_StoredSighting = tuple[int, str, str, str, bool, str, str]


def _in_clause(column: str, values: list[Any]) -> tuple[str, list[Any]]:
    """`column IN (values)` as one bound parameter: a JSON array on SQLite, an array on PostgreSQL."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [values]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(values)]  # noqa: S608 (column is ours)


@dataclass
class _Writer:
    source: Source
    as_of: date
    stamp: datetime
    statuses: dict[int, str] | None = None
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    written: int = 0
    row_digest: Callable[[str], str] = field(init=False)
    encrypt: Callable[[str], str] = field(init=False)
    # Employers found so far: by credit code, and by (name, city prefix) for rows without a known code.
    by_credit_code: dict[str, int | None] = field(init=False, default_factory=dict)
    by_name: dict[tuple[str, str], int | None] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.row_digest = crypto.short_digester(purpose="ledger.row")
        # Only what is stored is encrypted: a new worker's ID number and phone, a changed phone.
        self.encrypt = crypto.encryptor()
        self.day = self.as_of.isoformat()
        # The database's own form of the time stamp, converted once rather than once per row.
        self.stamp_value = connection.ops.adapt_datetimefield_value(self.stamp)

    def _employers(self, rows: list[RosterRow]) -> dict[int, int | None]:
        """The employer each row names (by worker key): by its credit code, else by its exact name when
        one employer of that name is registered in the work region's city. Two queries per chunk at most."""
        by_code, by_name = self.by_credit_code, self.by_name
        if len(by_code) > _CACHE_LIMIT:
            by_code.clear()
        if len(by_name) > _CACHE_LIMIT:
            by_name.clear()
        codes = {row.credit_code for row in rows if row.credit_code and row.credit_code not in by_code}
        if codes:
            found = dict(Enterprise.objects.filter(credit_code__in=codes).values_list("credit_code", "pk"))
            for code in codes:
                by_code[code] = found.get(code)
        names = {
            (row.employer_name, row.region[:4])
            for row in rows
            if row.employer_name and by_code.get(row.credit_code) is None
        }.difference(by_name)
        if names:
            matches: dict[tuple[str, str], list[int]] = {}
            for name, region, pk in Enterprise.objects.filter(name__in={name for name, _city in names}).values_list(
                "name", "region_id", "pk"
            ):
                matches.setdefault((name, region[:4]), []).append(pk)
            for wanted in names:
                pks = matches.get(wanted, [])
                by_name[wanted] = pks[0] if len(pks) == 1 else None
        employers: dict[int, int | None] = {}
        for row in rows:
            employer = by_code.get(row.credit_code) if row.credit_code else None
            if employer is None and row.employer_name:
                employer = by_name[(row.employer_name, row.region[:4])]
            employers[row.key] = employer
        return employers

    def write(self, rows: list[RosterRow], errors: list[RowError]) -> None:
        if not rows:
            return
        rows.sort(key=lambda row: row.key)
        sightings = self._sightings([row.key for row in rows])
        employers = self._employers(rows)
        day, source_id, statuses, row_digest = self.day, self.source.pk, self.statuses, self.row_digest
        digests: dict[int, str] = {}
        changing: list[RosterRow] = []
        seen: list[tuple[Any, ...]] = []  # (sighting pk, worker key): the same row again, a new date
        for row in rows:
            # What the row says, and which employer that turned out to be (the register may have grown).
            employer = employers[row.key]
            digest = digests[row.key] = row_digest(f"{row.said}\x1f{'' if employer is None else employer}")
            sighting = sightings.get(row.key)
            if sighting is not None and sighting[1] == digest:
                # The source repeats itself: only the dates may move.
                if not sighting[5] <= day <= sighting[6]:
                    seen.append((day, day, day, day, sighting[0]))
                self.unchanged += 1
                if statuses is not None:
                    statuses[row.number] = ROW_UNCHANGED
            else:
                changing.append(row)
        new_workers: list[tuple[Any, ...]] = []
        changed_workers: list[tuple[Any, ...]] = []
        worker_days: list[tuple[Any, ...]] = []  # (…, worker key): a worker seen again, nothing else new
        new_sightings: list[tuple[Any, ...]] = []
        changed_sightings: list[tuple[Any, ...]] = []
        if changing:
            workers = self._workers([row.key for row in changing])
            owners = self._external_owners(changing, sightings)
            for row in changing:
                stored = workers.get(row.key)
                if stored is not None and stored[0] != row.id_index:
                    # Two ID numbers whose blind indexes share 60 bits: never merge two people.
                    errors.append(
                        RowError(
                            row.number,
                            HEADER["id_number"],
                            _("This ID number cannot be taken in; report it to the system's administrators."),
                        )
                    )
                    continue
                sighting = sightings.get(row.key)
                if row.external_id and (sighting is None or sighting[3] != row.external_id):
                    owner = owners.get(row.external_id)
                    if owner is not None and owner != row.key:
                        errors.append(
                            RowError(
                                row.number,
                                HEADER["external_id"],
                                _("This platform id already belongs to another ID number in this source."),
                            )
                        )
                        continue
                worker_changed = False
                employer = employers[row.key]
                if stored is None:
                    new_workers.append(self._new_worker(row, employer))
                elif day >= stored[9]:
                    values = self._worker_changes(row, employer, stored)
                    worker_changed = values is not None
                    if values is not None:
                        changed_workers.append(values)
                    elif day > stored[9]:
                        worker_days.append((day, day, day, day, row.key))
                elif day < stored[8]:
                    changed_workers.append(self._first_seen(row, stored))  # an older roster: only first_seen moves
                digest = digests[row.key]
                if sighting is None:
                    new_sightings.append(
                        (source_id, row.key, row.platform, row.external_id, row.active, day, day, digest)
                    )
                    status = ROW_IMPORTED
                    self.imported += 1
                else:
                    pk, _digest, platform, external_id, active, first_seen, last_seen = sighting
                    if day >= last_seen:
                        stated = (row.platform or platform, row.external_id or external_id, row.active)
                    else:
                        stated = (platform, external_id, bool(active))
                    sighting_changed = stated != (platform, external_id, bool(active))
                    changed_sightings.append((*stated, min(first_seen, day), max(last_seen, day), digest, pk))
                    if worker_changed or sighting_changed:
                        status = ROW_UPDATED
                        self.updated += 1
                    else:
                        status = ROW_UNCHANGED
                        self.unchanged += 1
                if statuses is not None:
                    statuses[row.number] = status
        self._execute(new_workers, changed_workers, seen, worker_days, new_sightings, changed_sightings)

    def _new_worker(self, row: RosterRow, employer: int | None) -> tuple[Any, ...]:
        return (
            row.key,
            row.id_index,
            row.name,
            self.encrypt(row.id_number),
            self.encrypt(row.phone) if row.phone else "",
            row.phone_digest,
            row.birth_year,
            row.sex,
            row.origin,
            row.occupation,
            row.region,
            employer,
            row.employer_name,
            row.active,
            self.day,
            self.day,
            self.stamp_value,
        )

    def _worker_changes(self, row: RosterRow, employer: int | None, stored: _Stored) -> tuple[Any, ...] | None:
        """The UPDATE parameters when the row states something new about the worker, else None.

        A blank phone or employer states nothing: what another source gave stays.
        """
        _index, name, stored_phone, occupation, region, stored_employer, stored_employer_name, active, first, last = (
            stored
        )
        phone_digest = row.phone_digest or stored_phone
        employer_id = employer if (employer or row.employer_name) else stored_employer
        employer_name = row.employer_name or stored_employer_name
        if (row.name, phone_digest, row.occupation, row.region, employer_id, employer_name, row.active) == (
            name,
            stored_phone,
            occupation,
            region,
            stored_employer,
            stored_employer_name,
            bool(active),
        ):
            return None
        phone = self.encrypt(row.phone) if row.phone and phone_digest != stored_phone else None
        return (
            row.name,
            phone,
            phone_digest,
            row.occupation,
            row.region,
            employer_id,
            employer_name,
            row.active,
            min(first, self.day),
            max(last, self.day),
            self.stamp_value,
            row.key,
        )

    def _first_seen(self, row: RosterRow, stored: _Stored) -> tuple[Any, ...]:
        _index, name, phone_digest, occupation, region, employer_id, employer_name, active, _first, last = stored
        return (
            name,
            None,
            phone_digest,
            occupation,
            region,
            employer_id,
            employer_name,
            bool(active),
            self.day,
            last,
            self.stamp_value,
            row.key,
        )

    # Reads: one query per table for a whole chunk.

    def _workers(self, keys: list[int]) -> dict[int, _Stored]:
        clause, params = _in_clause("id", keys)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, id_number_index, name, phone_digest, occupation, work_region_id, employer_id, "  # noqa: S608
                "employer_name, active, CAST(first_seen AS TEXT), CAST(last_seen AS TEXT) "
                f"FROM ledger_worker WHERE {clause}",
                params,
            )
            return {row[0]: row[1:] for row in cursor.fetchall()}

    def listed(self, rows: list[RosterRow]) -> dict[int, _StoredSighting]:
        """The sightings this source already has of these rows' workers, by worker key."""
        return self._sightings([row.key for row in rows])

    def _sightings(self, keys: list[int]) -> dict[int, _StoredSighting]:
        clause, params = _in_clause("worker_id", keys)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT worker_id, id, digest, platform, external_id, active, CAST(first_seen AS TEXT), "  # noqa: S608
                f"CAST(last_seen AS TEXT) FROM ledger_sighting WHERE source_id = %s AND {clause}",
                [self.source.pk, *params],
            )
            return {row[0]: row[1:] for row in cursor.fetchall()}

    def _external_owners(self, rows: list[RosterRow], sightings: dict[int, _StoredSighting]) -> dict[str, int]:
        """Platform id -> the worker this source gave it to, for the ids rows give anew."""
        wanted = [
            row.external_id
            for row in rows
            if row.external_id and (row.key not in sightings or sightings[row.key][3] != row.external_id)
        ]
        if not wanted:
            return {}
        clause, params = _in_clause("external_id", wanted)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT external_id, worker_id FROM ledger_sighting "  # noqa: S608
                f"WHERE source_id = %s AND NOT (external_id = '') AND {clause}",
                [self.source.pk, *params],
            )
            return dict(cursor.fetchall())

    def _execute(
        self,
        new_workers: list[tuple[Any, ...]],
        changed_workers: list[tuple[Any, ...]],
        seen: list[tuple[Any, ...]],
        worker_days: list[tuple[Any, ...]],
        new_sightings: list[tuple[Any, ...]],
        changed_sightings: list[tuple[Any, ...]],
    ) -> None:
        with connection.cursor() as cursor:
            if new_workers:
                _insert(cursor, "ledger_worker", _WORKER_COLUMNS, new_workers)
            if changed_workers:
                cursor.executemany(
                    "UPDATE ledger_worker SET name = %s, phone = COALESCE(%s, phone), phone_digest = %s, "
                    "occupation = %s, work_region_id = %s, employer_id = %s, employer_name = %s, active = %s, "
                    "first_seen = %s, last_seen = %s, updated_at = %s WHERE id = %s",
                    changed_workers,
                )
            if new_sightings:
                _insert(cursor, "ledger_sighting", _SIGHTING_COLUMNS, new_sightings)
            if changed_sightings:
                cursor.executemany(
                    "UPDATE ledger_sighting SET platform = %s, external_id = %s, active = %s, first_seen = %s, "
                    "last_seen = %s, digest = %s WHERE id = %s",
                    changed_sightings,
                )
            # The same row on another date: widen the sighting's dates and the worker's.
            day_sql = (
                "first_seen = CASE WHEN first_seen > %s THEN %s ELSE first_seen END, "
                "last_seen = CASE WHEN last_seen < %s THEN %s ELSE last_seen END"
            )
            if worker_days:
                cursor.executemany(f"UPDATE ledger_worker SET {day_sql} WHERE id = %s", worker_days)  # noqa: S608
            if seen:
                cursor.executemany(f"UPDATE ledger_sighting SET {day_sql} WHERE id = %s", seen)  # noqa: S608
                cursor.executemany(
                    f"UPDATE ledger_worker SET {day_sql} WHERE id = (SELECT worker_id FROM ledger_sighting WHERE id = %s)",  # noqa: S608
                    seen,
                )
        self.written += len(new_workers) + len(new_sightings)


# The columns the writer inserts.
_WORKER_COLUMNS = [
    "id",
    "id_number_index",
    "name",
    "id_number",
    "phone",
    "phone_digest",
    "birth_year",
    "sex",
    "origin_region_code",
    "occupation",
    "work_region_id",
    "employer_id",
    "employer_name",
    "active",
    "first_seen",
    "last_seen",
    "updated_at",
]
_SIGHTING_COLUMNS = ["source_id", "worker_id", "platform", "external_id", "active", "first_seen", "last_seen", "digest"]


def _insert(cursor: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert rows (tuples in `columns` order): one executemany on SQLite; one COPY on PostgreSQL, which
    is also one statement, so the tally's statement trigger runs once for the chunk."""
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        # The driver's own cursor (COPY has no place in the DB-API); its errors become Django's, as any
        # query's do (the API catches the IntegrityError of two pushes of one batch at once).
        with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            write_row = copy.write_row
            for row in rows:
                write_row(row)
    else:
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)  # noqa: S608


def _checked_rows(
    records: Iterable[tuple[int, Sequence[str]]], checker: RosterChecker, errors: list[RowError]
) -> Iterator[RosterRow]:
    """Valid rows; errors collected. A second row of the same ID number or platform id is rejected."""
    by_index: dict[str, int] = {}
    by_external_id: dict[str, tuple[int, int]] = {}  # platform id -> (row, key)
    for number, cells in records:
        row, row_errors = checker.check(number, cells)
        if row is None:
            errors.extend(row_errors)
            continue
        first = by_index.setdefault(row.id_index, number)
        if first != number:
            errors.append(
                RowError(
                    number, HEADER["id_number"], _("The same ID number is already on row %(row)d.") % {"row": first}
                )
            )
            continue
        if row.external_id:
            other = by_external_id.setdefault(row.external_id, (number, row.key))
            if other[0] != number:
                errors.append(
                    RowError(
                        number,
                        HEADER["external_id"],
                        _("The same platform id is already on row %(row)d.") % {"row": other[0]},
                    )
                )
                continue
        yield row


def _batched(rows: Iterator[RosterRow], size: int) -> Iterator[list[RosterRow]]:
    batch: list[RosterRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# A chunk of checked rows: (records read so far, the valid rows, the errors of the rows read since the last).
_Chunk = tuple[int, list[RosterRow], list[RowError]]


def _checked_chunks(records: Iterable[tuple[int, Sequence[str]]], checker: RosterChecker) -> Iterator[_Chunk]:
    """Records read, checked and cut into chunks of CHUNK valid rows; the last chunk may be empty.

    Forked, the rows travel as plain tuples: a named tuple pickles at about three times the cost.
    """
    errors: list[RowError] = []
    read = 0

    def counted() -> Iterator[tuple[int, Sequence[str]]]:
        nonlocal read
        for record in records:
            read += 1
            yield record

    for batch in _batched(_checked_rows(counted(), checker, errors), CHUNK):
        yield read, batch, errors[:]
        errors.clear()
    yield read, [], errors


def _as_plain_tuples(chunks: Iterator[_Chunk]) -> Iterator[_Chunk]:
    """Chunks with every row a plain tuple, as a forked checker sends them (_as_rows reads them back)."""
    for read, batch, errors in chunks:
        yield read, [tuple(row) for row in batch], errors  # type: ignore[misc]


def _as_rows(chunks: Iterator[_Chunk]) -> Iterator[_Chunk]:
    for read, batch, errors in chunks:
        yield read, list(map(RosterRow._make, batch)), errors


@dataclass
class RosterResult:
    """What taking in a roster did: the counts, per-row errors and (for the API) each row's status."""

    report: ImportReport
    batch: RosterBatch | None
    statuses: dict[int, str]


def roster_write(
    *,
    records: Iterable[tuple[int, Sequence[str]]],
    checker: RosterChecker,
    source: Source,
    as_of: date,
    progress: Callable[[int], None] | None = None,
    keep_statuses: bool = False,
    commit_chunks: bool = False,
    fork: bool = False,
) -> tuple[_Writer, list[RowError]]:
    """Check and write rows (call inside a transaction); returns the writer's counts and the errors.

    `progress` is told how many records have been read after each chunk. With `commit_chunks`, a
    transaction commits every COMMIT_ROWS rows (call outside one, or they become savepoints of the
    caller's); otherwise the caller's transaction holds them all. With `fork`, records after the first
    chunk are read and checked in a forked process while this one writes (core.forked), unless the
    source already lists most of the first chunk: the checker must then need no query (its lookups
    loaded beforehand).
    """
    errors: list[RowError] = []
    writer = _Writer(source=source, as_of=as_of, stamp=timezone.now(), statuses={} if keep_statuses else None)
    chunks: Iterator[_Chunk] = _checked_chunks(records, checker)
    forked: Generator[_Chunk, None, None] | None = None
    if fork:
        # The first chunk is checked here. When this source already lists most of its rows (the same
        # roster again), checking is most of what is left and a writer would mostly wait for it: the
        # rest is checked here too. Otherwise a forked process checks the rest, going on from where
        # this one stopped (it inherits the reader's state).
        first = next(chunks)
        if len(writer.listed(first[1])) * 2 < len(first[1]):
            forked = forked_items(partial(_as_plain_tuples, chunks))
            chunks = itertools.chain([first], _as_rows(forked))
        else:
            chunks = itertools.chain([first], chunks)

    def written() -> Iterator[int]:
        """Writes chunk after chunk, telling how many rows each had."""
        for read, batch, chunk_errors in chunks:
            errors.extend(chunk_errors)
            writer.write(batch, errors)
            if progress is not None:
                progress(read)
            yield len(batch)

    steps = written()
    try:
        if not commit_chunks:
            for _rows in steps:
                pass
        else:
            commit_rows = COMMIT_ROWS_POSTGRESQL if connection.vendor == "postgresql" else COMMIT_ROWS
            finished = False
            while not finished:
                finished = True
                with bulk_write_cache(), transaction.atomic():
                    in_transaction = 0
                    for rows in steps:
                        in_transaction += rows
                        if in_transaction >= commit_rows:
                            finished = False
                            break
    finally:
        if forked is not None:
            forked.close()  # a forked checker stops with the writing, whatever stopped it
    return writer, errors


def roster_import(
    *,
    data: bytes,
    filename: str,
    source: Source,
    scope_prefix: str = "",
    actor: User | None = None,
    progress: ProgressCallback | None = None,
    as_of: date | None = None,
) -> ImportReport:
    """Import a roster file (FORMATS.md, 用工人员名册) from `source`: valid rows are taken, the rest reported.

    `scope_prefix` bounds the work regions rows may name (the importer's jurisdiction; "" for all).
    `as_of` is the date the roster describes (default today). Raises TabularError when the file cannot
    be read at all, before anything is written.
    """
    stream = stream_table(data, filename=filename, columns=ROSTER_COLUMNS, read_through=True)
    today = timezone.localdate()
    as_of = as_of or today
    total = stream.total
    fork = total >= FORK_ROWS and fork_safe()  # a big file is checked in a forked process while this one writes
    lookups = Lookups()
    if fork:
        lookups.load_regions()
    checker = RosterChecker(
        today=today,
        scope_prefix=scope_prefix,
        platform_name=source.platform.name if source.platform else "",
        lookups=lookups,
    )
    report = ImportReport(warnings=list(stream.warnings))

    def tick(done: int) -> None:
        if progress is not None:
            progress(done, max(total, done))

    with cycle_collector_paused():
        writer, errors = roster_write(
            records=stream.rows,
            checker=checker,
            source=source,
            as_of=as_of,
            progress=tick,
            commit_chunks=True,
            fork=fork,
        )
    with transaction.atomic():
        report.imported, report.updated, report.unchanged = writer.imported, writer.updated, writer.unchanged
        report.errors = sorted(errors, key=lambda error: error.row)
        batch = RosterBatch.objects.create(
            source=source,
            via=RosterBatch.Via.FILE,
            filename=filename[:200],
            as_of=as_of,
            rows=writer.imported + writer.updated + writer.unchanged + report.rejected,
            imported=writer.imported,
            updated=writer.updated,
            unchanged=writer.unchanged,
            rejected=report.rejected,
            created_by=actor,
        )
        if actor is not None:
            audit_record(
                action=AuditAction.ROSTER_IMPORTED,
                actor=actor,
                object_type="roster_batch",
                object_id=batch.pk,
                region_code=scope_prefix,
                details={"source": source.name, "imported": writer.imported, "updated": writer.updated},
            )
        if writer.written >= _ANALYZE_AFTER:
            analyze(Worker, Sighting)
    return report


class RosterRejected(DomainError):
    """A pushed batch with invalid rows: nothing of it was written. `errors` name each row by its index."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(_("Some workers in the batch are not valid; nothing was stored."), code="invalid_rows")
        self.errors = errors


def roster_push(*, platform: Platform, rows: Sequence[Mapping[str, str]], as_of: date | None = None) -> RosterResult:
    """Take in a batch of workers a platform pushes through the API, all or nothing.

    Each row maps ROSTER_COLUMNS keys to text (missing keys are blank). Rows are numbered by their
    index in the batch. Work regions must lie in the region of the federation holding the platform's
    agreement. Raises RosterRejected, writing nothing, when any row is invalid; otherwise returns each
    row's status (imported, updated, unchanged) by index and the RosterBatch recorded.
    """
    from gigunion.ledger.services import source_for_platform

    source = source_for_platform(platform)
    organization = platform.organization
    today = timezone.localdate()
    as_of = as_of or today
    checker = RosterChecker(
        today=today,
        scope_prefix=organization.region_prefix,
        scope_message=_("This region is outside the region of the platform's agreement (%(union)s).")
        % {"union": organization.name},
        platform_name=platform.name,
    )
    keys = [column.key for column in ROSTER_COLUMNS]
    records = [(number, [str(row.get(key) or "") for key in keys]) for number, row in enumerate(rows)]
    with transaction.atomic():
        writer, errors = roster_write(records=records, checker=checker, source=source, as_of=as_of, keep_statuses=True)
        if errors:
            transaction.set_rollback(True)
            raise RosterRejected(sorted(errors, key=lambda error: error.row))
        report = ImportReport(imported=writer.imported, updated=writer.updated, unchanged=writer.unchanged)
        batch = RosterBatch.objects.create(
            source=source,
            via=RosterBatch.Via.API,
            as_of=as_of,
            rows=len(records),
            imported=writer.imported,
            updated=writer.updated,
            unchanged=writer.unchanged,
        )
    return RosterResult(report=report, batch=batch, statuses=writer.statuses or {})
