"""Importing an existing member list (FORMATS.md, 会员名册): people with their membership of a union.

A row is a person (the worker roster's columns) and their membership of 所属工会 since 入会日期.

- People are matched by the blind index of the ID number, within the file (a second row of the same
  ID number is rejected) and against the database; ID numbers and phones are stored only encrypted.
- The union is given by its code or exact name and must lie in the importer's subtree.
- A person without an open membership gets one: active, source "import", routed by "import",
  an IMPORTED event (by "import"), and a member card number if they have none yet ("imported").
- A person whose open membership is already in that union: their details are brought up to date
  ("updated") or were already so ("unchanged"). The membership's date and place of joining are
  corrected only when the membership itself came from an import; its status is left as it is.
- A person with an open membership of another union is rejected: only a transfer (会籍转接) from
  that union moves a membership.
- What the file does not say is kept: a column missing from the file leaves the stored value alone;
  a stored phone is never replaced (it is the worker's log-in, confirmed by SMS), only filled in when
  missing; the name of a real-name-checked person is never changed by an import (a different name
  rejects the row). People created by an import are not marked as real-name checked.
- 在岗 (active) is read and checked (是/否) but not stored yet: the person model has no such field.
  A member who is not at work is imported as an active member all the same.

The whole file is written in one transaction, so a failure leaves the members as they were; importing
the same file again changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gigunion.core import crypto
from gigunion.core.db import ANALYZE_AFTER_ROWS, analyze
from gigunion.core.exceptions import DomainError
from gigunion.core.imports import ImportReport, ProgressCallback
from gigunion.core.occupations import OCCUPATION_NAMES
from gigunion.core.tabular import Column, RowError, missing_required, read_table
from gigunion.core.validators import DateError, parse_date
from gigunion.members.checks import CheckedWorker, Lookups, WorkerInput, WorkerInputError, worker_check
from gigunion.members.models import (
    OPEN_STATUSES,
    EventKind,
    JoinSource,
    Membership,
    MembershipEvent,
    MembershipStatus,
    Person,
)
from gigunion.members.selectors import id_number_index
from gigunion.members.services import card_number_draw, card_number_issue
from gigunion.orgs.models import UnionOrganization
from gigunion.orgs.services import phone_blind_index


def _occupation_help() -> str:
    """One name per occupation, the first the glossary lists (网约送餐员, not its synonyms)."""
    names: dict[str, str] = {}
    for name, occupation in OCCUPATION_NAMES.items():
        names.setdefault(occupation, name)
    return "、".join(names.values())


MEMBER_COLUMNS = [
    Column("name", "姓名", required=True, help="与身份证一致；少数民族姓名可含“·”，如 买买提·艾力"),
    Column("id_number", "身份证号", required=True, help="18 位（GB 11643），含港澳台居民居住证；请设为文本格式"),
    Column("phone", "手机号", help="11 位大陆手机号"),
    Column("occupation", "职业", required=True, help=_occupation_help()),
    Column("platform", "平台", help="平台名称或代码"),
    Column("external_id", "平台工号", help="平台自己的劳动者编号"),
    Column("employer", "用工单位", help="用工单位名称"),
    Column("employer_credit_code", "用工单位统一社会信用代码", help="18 位，GB 32100"),
    Column("work_region", "工作地区划代码", required=True, help="6、9 或 12 位区划代码"),
    Column("active", "在岗", help="是/否，默认是（暂不保存）"),
    Column("union", "所属工会", required=True, help="工会代码或全称，须在本工会管辖范围内"),
    Column("joined_on", "入会日期", required=True, help="YYYY-MM-DD，也可 YYYY/M/D 或 Excel 日期"),
    Column("join_place", "入会地类型", help="工作地 或 输出地，默认工作地"),
]
_HEADER = {column.key: column.header for column in MEMBER_COLUMNS}
_COLUMN_ORDER = {column.header: position for position, column in enumerate(MEMBER_COLUMNS)}
# worker_check's field names → the column of this format.
_CHECK_FIELDS = {
    "name": "name",
    "id_number": "id_number",
    "phone": "phone",
    "occupation": "occupation",
    "platform": "platform",
    "external_id": "external_id",
    "employer_name": "employer",
    "employer_credit_code": "employer_credit_code",
    "work_region": "work_region",
    "join_place": "join_place",
}
_YES_NO = {"是", "否", "yes", "no", "y", "n", "true", "false", "1", "0"}
# Rows checked and written at a time: one lookup of their people and memberships each.
_CHUNK = 500
# Values per `IN (...)` query: below the smallest limit on bound parameters (SQLite's 999).
_IN_CHUNK = 900
# Person fields an import sets from a row, with the columns that must be in the file to change them.
_PERSON_FIELDS = {
    "name": (),
    "occupation": (),
    "platform": ("platform",),
    "external_id": ("external_id",),
    "employer_id": ("employer", "employer_credit_code"),
    "employer_name": ("employer", "employer_credit_code"),
    "work_region_id": (),
}

_T = TypeVar("_T")


@dataclass
class _Row:
    number: int
    checked: CheckedWorker
    union: UnionOrganization
    joined_on: date
    index: str  # blind index of the ID number

    def person_values(self) -> dict[str, Any]:
        checked = self.checked
        return {
            "name": checked.name,
            "occupation": str(checked.occupation.value),
            "platform": checked.platform,
            "external_id": checked.external_id,
            "employer_id": checked.employer.pk if checked.employer is not None else None,
            "employer_name": checked.employer_name,
            "work_region_id": checked.work_region.pk,
        }


def _chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Unions:
    """The unions a file names, by code or exact name, looked up once; each answered inside the scope."""

    def __init__(self, texts: Iterable[str], scope: UnionOrganization | None) -> None:
        self.scope_path = scope.path if scope is not None else "/"
        texts = sorted(set(texts))
        self.by_code: dict[str, UnionOrganization] = {}
        self.by_name: dict[str, list[UnionOrganization]] = {}
        unions = UnionOrganization.objects.select_related("region")
        for chunk in _chunks(texts, _IN_CHUNK):
            self.by_code.update((union.code, union) for union in unions.filter(code__in=chunk) if union.code)
        for chunk in _chunks([text for text in texts if text not in self.by_code], _IN_CHUNK):
            for union in unions.filter(name__in=chunk).order_by("pk"):
                self.by_name.setdefault(union.name, []).append(union)

    def _inside(self, union: UnionOrganization) -> bool:
        return union.path.startswith(self.scope_path)

    def find(self, text: str) -> tuple[UnionOrganization | None, str]:
        """(the union, "") or (None, what is wrong)."""
        union = self.by_code.get(text)
        if union is None:
            named = self.by_name.get(text, [])
            inside = [candidate for candidate in named if self._inside(candidate)]
            if len(inside) > 1:
                return None, _("Several unions have this name: use the union's code.")
            if not named:
                return None, _("No union has this code or name.")
            union = inside[0] if inside else named[0]
        if not self._inside(union):
            return None, _("This union is outside your jurisdiction.")
        if not union.is_active:
            return None, _("That union is no longer active.")
        return union, ""


def _joined_on(text: str, checked: CheckedWorker | None, today: date) -> tuple[date | None, str]:
    try:
        joined_on = parse_date(text)
    except DateError as error:
        return None, _("This date does not exist.") if error.code == "range" else _("Write the date as YYYY-MM-DD.")
    if joined_on > today:
        return None, _("The date of joining is in the future.")
    if checked is not None and joined_on < checked.id_info.birth_date:
        return None, _("The date of joining is before the birth date in the ID number.")
    return joined_on, ""


def _parse(
    number: int, cells: dict[str, str], unions: _Unions, today: date, lookups: Lookups
) -> tuple[_Row | None, list[RowError]]:
    errors = missing_required(number, cells, MEMBER_COLUMNS)
    missing = {error.column for error in errors}
    checked: CheckedWorker | None = None
    try:
        checked = worker_check(
            WorkerInput(
                name=cells["name"],
                id_number=cells["id_number"],
                phone=cells["phone"],
                occupation=cells["occupation"],
                platform=cells["platform"],
                external_id=cells["external_id"],
                employer_name=cells["employer"],
                employer_credit_code=cells["employer_credit_code"],
                work_region=cells["work_region"],
                join_place=cells["join_place"],
            ),
            phone_required=False,
            today=today,
            lookups=lookups,
        )
    except WorkerInputError as error:
        for field, message in error.errors.items():
            header = _HEADER[_CHECK_FIELDS.get(field, "name")]
            if header not in missing:  # an empty required cell is already reported
                errors.append(RowError(number, header, str(message)))
    if cells["active"] and cells["active"].casefold() not in _YES_NO:
        errors.append(RowError(number, _HEADER["active"], _("Write 是 (yes) or 否 (no).")))
    union: UnionOrganization | None = None
    if cells["union"]:
        union, message = unions.find(cells["union"])
        if message:
            errors.append(RowError(number, _HEADER["union"], message))
    joined_on: date | None = None
    if cells["joined_on"]:
        joined_on, message = _joined_on(cells["joined_on"], checked, today)
        if message:
            errors.append(RowError(number, _HEADER["joined_on"], message))
    if errors or checked is None or union is None or joined_on is None:
        errors.sort(key=lambda error: _COLUMN_ORDER.get(error.column, len(_COLUMN_ORDER)))
        return None, errors
    return _Row(number, checked, union, joined_on, id_number_index(checked.id_info.number)), []


@dataclass
class _Counts:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    written: int = 0  # rows inserted, for ANALYZE


class _Writer:
    """Writes one chunk of valid rows: one query for their people, one for their open memberships."""

    def __init__(self, *, columns: set[str], actor: User | None) -> None:
        # The person fields this file may change (a column the file lacks leaves its field alone).
        self.fields = [field for field, needs in _PERSON_FIELDS.items() if not needs or columns.intersection(needs)]
        self.fill_phone = "phone" in columns
        self.actor = actor
        self.counts = _Counts()

    def write(self, rows: list[_Row], errors: list[RowError]) -> None:
        people: dict[str, dict[str, Any]] = {
            values["id_number_index"]: values
            for values in Person.objects.select_for_update()
            .filter(id_number_index__in=[row.index for row in rows])
            .values("pk", "id_number_index", "phone_index", "card_number", "verified_by", *_PERSON_FIELDS)
        }
        open_memberships = {
            membership.person_id: membership
            for membership in Membership.objects.select_for_update(of=("self",))
            .select_related("union")
            .filter(person_id__in=[values["pk"] for values in people.values()], status__in=OPEN_STATUSES)
        }
        new_people: list[_Row] = []
        joining: list[tuple[_Row, int]] = []  # (row, person id) of the people who get a new membership
        for row in rows:
            stored = people.get(row.index)
            if stored is None:
                new_people.append(row)
                continue
            membership = open_memberships.get(stored["pk"])
            if membership is not None and membership.union_id != row.union.pk:
                errors.append(RowError(row.number, _HEADER["union"], _elsewhere_message(membership)))
                continue
            if stored["verified_by"] and stored["name"] != row.checked.name:
                errors.append(
                    RowError(
                        row.number, _HEADER["name"], _("The name differs from the real-name record of this ID number.")
                    )
                )
                continue
            changed = self._update_person(row, stored)
            if membership is None:
                joining.append((row, stored["pk"]))
            elif self._update_membership(row, membership) or changed:
                self.counts.updated += 1
            else:
                self.counts.unchanged += 1

        stamp = _db_value(Person, "created_at", timezone.now())
        numbers = _card_numbers([row.union for row in new_people])
        _insert(Person, [self._person(row, number, stamp) for row, number in zip(new_people, numbers, strict=True)])
        person_ids = _ids(Person.objects.all(), "id_number_index", [row.index for row in new_people])
        joining += [(row, person_ids[row.index]) for row in new_people]
        _insert(Membership, [self._membership(row, person_id, stamp) for row, person_id in joining])
        membership_ids = _ids(
            Membership.objects.filter(status__in=OPEN_STATUSES), "person_id", [person_id for _row, person_id in joining]
        )
        _insert(
            MembershipEvent,
            [
                {
                    "person_id": person_id,
                    "membership_id": membership_ids[person_id],
                    "kind": EventKind.IMPORTED.value,
                    "union_id": row.union.pk,
                    "actor_id": self.actor.pk if self.actor is not None else None,
                    "by": "import",
                    "reason": "",
                    "created_at": stamp,
                }
                for row, person_id in joining
            ],
        )
        cards = {values["pk"]: values["card_number"] for values in people.values()}
        for row, person_id in joining:
            if person_id in cards and not cards[person_id]:  # a former member who never had a card
                card_number_issue(Person(pk=person_id), row.union)
        self.counts.imported += len(joining)
        self.counts.written += len(new_people) + 2 * len(joining)

    @staticmethod
    def _person(row: _Row, card_number: str, stamp: Any) -> dict[str, Any]:
        """A new person's row in database form: ID number and phone encrypted as EncryptedTextField stores them."""
        checked = row.checked
        info = checked.id_info
        return {
            **row.person_values(),
            "id_number": crypto.encrypt(info.number),
            "id_number_index": row.index,
            "id_last4": info.number[-4:],
            "phone": crypto.encrypt(checked.phone) if checked.phone else "",
            "phone_index": phone_blind_index(checked.phone) if checked.phone else "",
            "birth_year": info.birth_date.year,
            "sex": info.sex,
            "origin_region_code": info.region_code,
            "card_number": card_number,
            "verified_by": "",
            "verified_at": None,
            "created_at": stamp,
            "updated_at": stamp,
        }

    def _update_person(self, row: _Row, stored: dict[str, Any]) -> bool:
        values = row.person_values()
        changes = {field: values[field] for field in self.fields if stored[field] != values[field]}
        if self.fill_phone and row.checked.phone and not stored["phone_index"]:
            changes["phone"] = row.checked.phone
            changes["phone_index"] = phone_blind_index(row.checked.phone)
        if not changes:
            return False
        Person.objects.filter(pk=stored["pk"]).update(**changes, updated_at=timezone.now())
        return True

    @staticmethod
    def _update_membership(row: _Row, membership: Membership) -> bool:
        """Correct an imported membership's date and place of joining; True when something changed."""
        if membership.source != JoinSource.IMPORT:
            return False
        changes = {
            field: value
            for field, value in (("joined_on", row.joined_on), ("join_place", str(row.checked.join_place.value)))
            if getattr(membership, field) != value
        }
        if not changes:
            return False
        Membership.objects.filter(pk=membership.pk).update(**changes, updated_at=timezone.now())
        return True

    @staticmethod
    def _membership(row: _Row, person_id: int, stamp: Any) -> dict[str, Any]:
        return {
            "person_id": person_id,
            "union_id": row.union.pk,
            "status": MembershipStatus.ACTIVE.value,
            "source": JoinSource.IMPORT.value,
            "channel_id": None,
            "join_place": str(row.checked.join_place.value),
            "routed_by": "import",
            "joined_on": _db_value(Membership, "joined_on", row.joined_on),
            "ended_on": None,
            "last_dues_on": None,
            "last_activity_on": None,
            "created_at": stamp,
            "updated_at": stamp,
        }


def _db_value(model: type[models.Model], name: str, value: Any) -> Any:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field.get_db_prep_save(value, connection)


def _insert(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """INSERT rows (attname -> value in database form) with one executemany.

    As in enterprises_import: for thousands of rows, bulk_create spends most of its time building
    model instances and preparing every value, several times what the database needs.
    """
    if not rows:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    column = {field.attname: quote(field.column) for field in meta.concrete_fields}
    names = list(rows[0])
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(column[name] for name in names)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(names))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [tuple(row[name] for name in names) for row in rows])


def _ids(queryset: QuerySet[Any], key: str, values: list[Any]) -> dict[Any, int]:
    """key value -> primary key, for the rows of `queryset` whose `key` is one of `values`."""
    ids: dict[Any, int] = {}
    for chunk in _chunks(values, _IN_CHUNK):
        ids.update(queryset.filter(**{f"{key}__in": chunk}).values_list(key, "pk"))
    return ids


def _card_numbers(unions: list[UnionOrganization]) -> list[str]:
    """A member card number for each new member (services.card_number_draw), drawn for a whole chunk at
    once with one query for numbers already issued instead of an UPDATE and a read per person."""
    numbers: list[str] = [""] * len(unions)
    wanted = list(range(len(unions)))
    for _attempt in range(10):
        drawn: dict[str, int] = {}
        for position in wanted:
            drawn.setdefault(card_number_draw(unions[position]), position)  # a number drawn twice goes to one person
        taken: set[str] = set()
        for chunk in _chunks(list(drawn), _IN_CHUNK):
            issued = Person.objects.filter(card_number__in=chunk).values_list("card_number", flat=True)
            taken.update(number for number in issued if number)
        for number, position in drawn.items():
            if number not in taken:
                numbers[position] = number
        wanted = [position for position in wanted if not numbers[position]]
        if not wanted:
            return numbers
    raise DomainError(_("Please submit again."), code="retry")


def _elsewhere_message(membership: Membership) -> str:
    if membership.status == MembershipStatus.PENDING:
        return _("This person's application to join %(union)s is awaiting a decision there.") % {
            "union": membership.union.name
        }
    return _(
        "This person is already a member of %(union)s: only a transfer from that union can move the membership."
    ) % {"union": membership.union.name}


def members_import(
    *,
    data: bytes,
    filename: str,
    scope: UnionOrganization | None = None,
    progress: ProgressCallback | None = None,
    actor: User | None = None,
    today: date | None = None,
) -> ImportReport:
    """Import a member list (FORMATS.md, 会员名册): valid rows are taken, the rest reported by row.

    `scope` bounds the unions members may be imported into (the importer's organization; None for the
    whole tree). `actor` is recorded on the membership events. See the module's notes for what a row does.
    """
    sheet = read_table(data, filename=filename, columns=MEMBER_COLUMNS)
    report = ImportReport(warnings=list(sheet.warnings))
    today = today or timezone.localdate()
    unions = _Unions((cells["union"] for _number, cells in sheet.rows if cells["union"]), scope)
    lookups = Lookups()
    writer = _Writer(columns=set(sheet.headers), actor=actor)
    seen: dict[str, int] = {}  # ID number index -> the first row that has it
    total = len(sheet.rows)
    with transaction.atomic():
        done = 0
        for chunk in _chunks(sheet.rows, _CHUNK):
            rows: list[_Row] = []
            for number, cells in chunk:
                row, errors = _parse(number, cells, unions, today, lookups)
                if row is not None and row.index in seen:
                    errors = [
                        RowError(
                            number,
                            _HEADER["id_number"],
                            _("The same ID number is already on row %(row)d.") % {"row": seen[row.index]},
                        )
                    ]
                    row = None
                report.errors.extend(errors)
                if row is not None:
                    seen[row.index] = number
                    rows.append(row)
            if rows:
                writer.write(rows, report.errors)
            done += len(chunk)
            if progress:
                progress(done, total)
        if writer.counts.written >= ANALYZE_AFTER_ROWS:
            analyze(Person, Membership, MembershipEvent)
    report.imported = writer.counts.imported
    report.updated = writer.counts.updated
    report.unchanged = writer.counts.unchanged
    report.errors.sort(key=lambda error: error.row)  # stable: a row's own errors keep their column order
    return report
