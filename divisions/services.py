"""Writes to the division tree: the shipped loader and row imports share one upsert."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from divisions.models import KIND_LEVEL, PATH_SEPARATOR, Division, Kind

DATA_DIR = Path(__file__).resolve().parent / "data"
CA_MAU_2024 = DATA_DIR / "camau-2024.json"


@dataclass(frozen=True)
class DivisionRow:
    code: str
    name: str
    kind: str
    parent_code: str | None


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    codes: list[str] = field(default_factory=list)


def _validate_rows(rows: list[DivisionRow], existing: dict[str, Division]) -> dict[str, str]:
    """Check codes, kinds, parents and levels of rows; return code -> path or raise."""
    errors: list[str] = []
    by_code: dict[str, DivisionRow] = {}
    for n, row in enumerate(rows, start=1):
        if not row.code or PATH_SEPARATOR in row.code:
            errors.append(_("Dòng %(n)s: mã '%(code)s' không hợp lệ.") % {"n": n, "code": row.code})
            continue
        if row.code in by_code:
            errors.append(
                _("Dòng %(n)s: mã %(code)s bị trùng trong tệp.") % {"n": n, "code": row.code}
            )
            continue
        if row.kind not in KIND_LEVEL:
            errors.append(
                _("Dòng %(n)s (%(code)s): loại đơn vị '%(kind)s' không hợp lệ.")
                % {"n": n, "code": row.code, "kind": row.kind}
            )
            continue
        by_code[row.code] = row

    paths: dict[str, str] = {}

    def path_of(code: str, seen: tuple[str, ...] = ()) -> str | None:
        if code in paths:
            return paths[code]
        if code in seen:
            errors.append(_("Mã %(code)s tạo thành vòng lặp cấp trên.") % {"code": code})
            return None
        row = by_code.get(code)
        if row is None:
            return existing[code].path if code in existing else None
        level = KIND_LEVEL[row.kind]
        if row.parent_code is None:
            if level != 1:
                errors.append(
                    _("%(code)s %(name)s cần đơn vị cấp trên.") % {"code": code, "name": row.name}
                )
                return None
            paths[code] = f"{code}{PATH_SEPARATOR}"
            return paths[code]
        parent_level = (
            KIND_LEVEL[by_code[row.parent_code].kind]
            if row.parent_code in by_code
            else existing[row.parent_code].level
            if row.parent_code in existing
            else None
        )
        if parent_level is None:
            errors.append(
                _("%(code)s %(name)s: không tìm thấy đơn vị cấp trên có mã %(parent)s.")
                % {"code": code, "name": row.name, "parent": row.parent_code}
            )
            return None
        if parent_level != level - 1:
            errors.append(
                _(
                    "%(code)s %(name)s (%(kind)s) không thể trực thuộc đơn vị %(parent)s: "
                    "sai cấp hành chính."
                )
                % {
                    "code": code,
                    "name": row.name,
                    "kind": Kind(row.kind).label,
                    "parent": row.parent_code,
                }
            )
            return None
        parent_path = path_of(row.parent_code, (*seen, code))
        if parent_path is None:
            return None
        paths[code] = f"{parent_path}{code}{PATH_SEPARATOR}"
        return paths[code]

    for code in by_code:
        path_of(code)
    if errors:
        raise ValidationError(errors)
    return paths


@transaction.atomic
def divisions_upsert(*, rows: list[DivisionRow]) -> UpsertResult:
    """Create or update divisions by code, all or nothing; history is recorded for each row.

    Rows may come in any order; parents are found in the rows or already in the database.
    Re-running with the same rows changes nothing.
    """
    codes = [r.code for r in rows]
    parent_codes = {r.parent_code for r in rows if r.parent_code}
    existing = {d.code: d for d in Division.objects.filter(code__in=set(codes) | parent_codes)}
    paths = _validate_rows(rows, existing)

    result = UpsertResult(codes=codes)
    to_create: list[Division] = []
    to_update: list[Division] = []
    # Parents first so that new children can point at saved parents.
    for row in sorted(rows, key=lambda r: paths[r.code].count(PATH_SEPARATOR)):
        level = KIND_LEVEL[row.kind]
        current = existing.get(row.code)
        if current is None:
            obj = Division(code=row.code, name=row.name, kind=row.kind, level=level)
            obj.path = paths[row.code]
            obj._parent_code = row.parent_code
            to_create.append(obj)
            existing[row.code] = obj
            continue
        parent_code = current.path.rstrip(PATH_SEPARATOR).split(PATH_SEPARATOR)[-2:-1]
        same = (
            current.name == row.name
            and current.kind == row.kind
            and current.path == paths[row.code]
            and (parent_code[0] if parent_code else None) == row.parent_code
        )
        if same:
            result.unchanged += 1
            continue
        if current.path != paths[row.code]:
            raise ValidationError(
                _(
                    "%(code)s: không thể chuyển đơn vị sang đơn vị cấp trên khác bằng nạp dữ liệu; "
                    "hãy sửa trong trang quản trị."
                )
                % {"code": row.code}
            )
        current.name, current.kind = row.name, row.kind
        to_update.append(current)

    # Create level by level: a child's parent_id must exist before the child is inserted.
    for depth in sorted({o.path.count(PATH_SEPARATOR) for o in to_create}):
        batch = [o for o in to_create if o.path.count(PATH_SEPARATOR) == depth]
        for obj in batch:
            if obj._parent_code:
                obj.parent_id = existing[obj._parent_code].pk
        bulk_create_with_history(batch, Division, batch_size=500)
        # bulk_create returns pks on PostgreSQL and SQLite; reload to be backend-neutral.
        saved = Division.objects.filter(code__in=[o.code for o in batch]).in_bulk(field_name="code")
        for obj in batch:
            existing[obj.code] = saved[obj.code]
    if to_update:
        bulk_update_with_history(to_update, Division, ["name", "kind"], batch_size=500)
    result.created = len(to_create)
    result.updated = len(to_update)
    return result


def rows_from_shipped_file(path: Path = CA_MAU_2024) -> list[DivisionRow]:
    """Rows of the shipped province file (province, district-level, commune-level units)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    province = data["province"]
    rows = [DivisionRow(province["code"], province["name"], province["kind"], None)]
    for district in data["districts"]:
        rows.append(
            DivisionRow(district["code"], district["name"], district["kind"], province["code"])
        )
        for commune in district["communes"]:
            rows.append(
                DivisionRow(commune["code"], commune["name"], commune["kind"], district["code"])
            )
    return rows
