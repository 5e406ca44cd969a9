"""One file over 500 lines: the shipped loader and the row imports share one validation and upsert.

Writes to the division tree: the shipped loader and row imports share one upsert."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from divisions.models import (
    KIND_LEVEL,
    PATH_SEPARATOR,
    REORG_DATE,
    Division,
    DivisionSuccession,
    Kind,
    ShareBasis,
    overlaps,
    parent_level_ok,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
CA_MAU_2024 = DATA_DIR / "camau-2024.json"
BAC_LIEU_2024 = DATA_DIR / "baclieu-2024.json"
CA_MAU_2025 = DATA_DIR / "camau-2025.json"
REORG_2025_MAPPING = DATA_DIR / "reorg-2025-mapping.json"


@dataclass(frozen=True)
class DivisionRow:
    code: str
    name: str
    kind: str
    parent_code: str | None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    @property
    def key(self) -> tuple[str, dt.date | None]:
        """A unit's identity: its code and the day it started (codes are reused in 2025)."""
        return (self.code, self.valid_from)


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    codes: list[str] = field(default_factory=list)


def _label(row: DivisionRow) -> str:
    if row.valid_from:
        return _("%(code)s %(name)s (từ %(start)s)") % {
            "code": row.code,
            "name": row.name,
            "start": f"{row.valid_from:%d/%m/%Y}",
        }
    return f"{row.code} {row.name}"


def _covers(start, end, day) -> bool:
    return (start is None or start <= day) and (end is None or end >= day)


def _validate_rows(
    rows: list[DivisionRow], existing: dict[tuple, Division]
) -> dict[tuple, tuple[str, tuple | None]]:
    """Check codes, kinds, validity, parents and levels; return key -> (path, parent key).

    Phases: check each row on its own, check that no code names two units at one time, place
    each unit under its parent (path and level), then check the paths are distinct. Every
    problem is collected, so one ValidationError lists them all.
    """
    by_key, errors = _check_each_row(rows)
    errors += _overlapping_codes(by_key, existing)
    planner = _PathPlanner(by_key, existing, _parent_candidates(by_key, existing))
    for key in by_key:
        planner.path_of(key)
    errors += planner.errors
    if not errors:
        errors += _path_collisions(planner.result, by_key, existing)
    if errors:
        raise ValidationError(errors)
    return planner.result


def _check_each_row(rows: list[DivisionRow]) -> tuple[dict[tuple, DivisionRow], list[str]]:
    """The rows that pass the checks of a row on its own, by key, and the problems of the rest
    (a refused row takes no further part, so it causes no follow-on messages)."""
    errors: list[str] = []
    by_key: dict[tuple, DivisionRow] = {}
    for n, row in enumerate(rows, start=1):
        problem = _row_problem(n, row, by_key)
        if problem:
            errors.append(problem)
        else:
            by_key[row.key] = row
    return by_key, errors


def _row_problem(n: int, row: DivisionRow, seen: dict[tuple, DivisionRow]) -> str | None:
    """The first problem of row `n` on its own (code, duplicate, kind, dates), or None."""
    if not row.code or PATH_SEPARATOR in row.code:
        return _("Dòng %(n)s: mã '%(code)s' không hợp lệ.") % {"n": n, "code": row.code}
    if row.key in seen:
        return _("Dòng %(n)s: mã %(code)s bị trùng trong tệp.") % {"n": n, "code": row.code}
    if row.kind not in KIND_LEVEL:
        return _("Dòng %(n)s (%(code)s): loại đơn vị '%(kind)s' không hợp lệ.") % {
            "n": n,
            "code": row.code,
            "kind": row.kind,
        }
    if row.valid_from and row.valid_to and row.valid_to < row.valid_from:
        return _("Dòng %(n)s (%(code)s): ngày hết hiệu lực trước ngày bắt đầu hiệu lực.") % {
            "n": n,
            "code": row.code,
        }
    return None


def _overlapping_codes(
    by_key: dict[tuple, DivisionRow], existing: dict[tuple, Division]
) -> list[str]:
    """One code, one unit at a time: validity periods of one code must not overlap (rows
    replace the stored unit with their key)."""
    periods_of: dict[str, list[tuple]] = defaultdict(list)
    for key, d in existing.items():
        if key not in by_key:
            periods_of[d.code].append((d.valid_from, d.valid_to, f"{d.code} {d.name}"))
    for row in by_key.values():
        periods_of[row.code].append((row.valid_from, row.valid_to, _label(row)))
    errors: list[str] = []
    for code, spans in periods_of.items():
        for i, a in enumerate(spans):
            for b in spans[i + 1 :]:
                if overlaps(a[0], a[1], b[0], b[1]):
                    errors.append(
                        _(
                            "Mã %(code)s dùng cho hai đơn vị có thời kỳ hiệu lực chồng nhau "
                            "(%(a)s và %(b)s); một mã chỉ thuộc một đơn vị tại mỗi thời điểm."
                        )
                        % {"code": code, "a": a[2], "b": b[2]}
                    )
    return errors


def _parent_candidates(
    by_key: dict[tuple, DivisionRow], existing: dict[tuple, Division]
) -> dict[str, list[tuple]]:
    """Code -> (key, valid_from, valid_to, level) of each unit that may be a parent: stored
    units, with a row taking the place of the stored unit of the same key."""
    candidates: dict[str, list[tuple]] = defaultdict(list)
    for key, d in existing.items():
        candidates[d.code].append((key, d.valid_from, d.valid_to, d.level))
    for key, row in by_key.items():
        entry = (key, row.valid_from, row.valid_to, KIND_LEVEL[row.kind])
        candidates[row.code] = [c for c in candidates[row.code] if c[0] != key] + [entry]
    return candidates


def _parent_problem(row: DivisionRow, parent: tuple | None) -> str | None:
    """Why `parent` (a candidate tuple, or None when none was found) cannot hold the row's
    unit, or None when it can."""
    if parent is None:
        return _("%(code)s %(name)s: không tìm thấy đơn vị cấp trên có mã %(parent)s.") % {
            "code": row.code,
            "name": row.name,
            "parent": row.parent_code,
        }
    if not parent_level_ok(KIND_LEVEL[row.kind], parent[3], row.valid_from):
        return _(
            "%(code)s %(name)s (%(kind)s) không thể trực thuộc đơn vị %(parent)s: "
            "sai cấp hành chính."
        ) % {
            "code": row.code,
            "name": row.name,
            "kind": Kind(row.kind).label,
            "parent": row.parent_code,
        }
    return None


class _PathPlanner:
    """Places the rows' units in the tree: `result` maps key -> (path, parent key), a unit's
    path being its parent's path plus its own code; problems go to `errors`."""

    def __init__(
        self,
        by_key: dict[tuple, DivisionRow],
        existing: dict[tuple, Division],
        candidates: dict[str, list[tuple]],
    ) -> None:
        self.by_key = by_key
        self.existing = existing
        self.candidates = candidates
        self.errors: list[str] = []
        self.result: dict[tuple, tuple[str, tuple | None]] = {}

    def parent_of(self, row: DivisionRow) -> tuple | None:
        """The unit with the parent code in force when the row's unit starts."""
        day = row.valid_from or dt.date.min
        return next(
            (c for c in self.candidates.get(row.parent_code, []) if _covers(c[1], c[2], day)),
            None,
        )

    def path_of(self, key: tuple, seen: tuple = ()) -> str | None:
        """The unit's path (placing its parents first), or None when it cannot be placed."""
        if key in self.result:
            return self.result[key][0]
        if key in seen:
            self.errors.append(_("Mã %(code)s tạo thành vòng lặp cấp trên.") % {"code": key[0]})
            return None
        row = self.by_key.get(key)
        if row is None:
            return self.existing[key].path if key in self.existing else None
        if row.parent_code is None:
            return self._root_path(key, row)
        parent = self.parent_of(row)
        problem = _parent_problem(row, parent)
        if problem:
            self.errors.append(problem)
            return None
        parent_path = self.path_of(parent[0], (*seen, key))
        if parent_path is None:
            return None
        self.result[key] = (f"{parent_path}{row.code}{PATH_SEPARATOR}", parent[0])
        return self.result[key][0]

    def _root_path(self, key: tuple, row: DivisionRow) -> str | None:
        """A row without a parent: only a province-level unit may be a root."""
        if KIND_LEVEL[row.kind] != 1:
            self.errors.append(
                _("%(code)s %(name)s cần đơn vị cấp trên.") % {"code": row.code, "name": row.name}
            )
            return None
        self.result[key] = (f"{row.code}{PATH_SEPARATOR}", None)
        return self.result[key][0]


def _path_collisions(
    result: dict[tuple, tuple[str, tuple | None]],
    by_key: dict[tuple, DivisionRow],
    existing: dict[tuple, Division],
) -> list[str]:
    """Paths must stay distinct (subtrees are path prefixes): old units keep the district in
    their path, new ones hang under the province, so reused codes never collide."""
    errors: list[str] = []
    taken = {d.path: key for key, d in existing.items() if key not in by_key}
    for key, (path, _parent) in result.items():
        if taken.setdefault(path, key) != key:
            errors.append(
                _("%(code)s: đường dẫn %(path)s trùng với một đơn vị khác.")
                % {"code": key[0], "path": path}
            )
    return errors


@transaction.atomic
def divisions_upsert(*, rows: list[DivisionRow]) -> UpsertResult:
    """Create or update divisions by (code, start of validity), all or nothing; history is
    recorded for each row.

    Rows may come in any order; parents are found in the rows or already in the database (the
    unit with the parent code in force when the row's unit starts). Re-running with the same
    rows changes nothing.
    """
    codes = [r.code for r in rows]
    parent_codes = {r.parent_code for r in rows if r.parent_code}
    existing = {
        (d.code, d.valid_from): d
        for d in Division.objects.filter(code__in=set(codes) | parent_codes)
    }
    plan = _validate_rows(rows, existing)

    result = UpsertResult(codes=codes)
    to_create, to_update = _plan_writes(rows, plan, existing, result)
    _create_by_depth(to_create, existing)
    if to_update:
        bulk_update_with_history(to_update, Division, ["name", "kind", "valid_to"], batch_size=500)
    result.created = len(to_create)
    result.updated = len(to_update)
    return result


def _plan_writes(
    rows: list[DivisionRow],
    plan: dict[tuple, tuple[str, tuple | None]],
    existing: dict[tuple, Division],
    result: UpsertResult,
) -> tuple[list[Division], list[Division]]:
    """Units to create (unsaved, each with its path and parent key) and stored units to
    update; counts unchanged rows in `result`. Refuses moving a stored unit to another parent.
    New units are added to `existing` under their key."""
    to_create: list[Division] = []
    to_update: list[Division] = []
    # Parents first so that new children can point at saved parents.
    for row in sorted(rows, key=lambda r: plan[r.key][0].count(PATH_SEPARATOR)):
        path, parent_key = plan[row.key]
        current = existing.get(row.key)
        if current is None:
            obj = Division(
                code=row.code,
                name=row.name,
                kind=row.kind,
                level=KIND_LEVEL[row.kind],
                valid_from=row.valid_from,
                valid_to=row.valid_to,
            )
            obj.path = path
            obj._parent_key = parent_key
            to_create.append(obj)
            existing[row.key] = obj
            continue
        same = (
            current.name == row.name
            and current.kind == row.kind
            and current.path == path
            and current.valid_to == row.valid_to
        )
        if same:
            result.unchanged += 1
            continue
        if current.path != path:
            raise ValidationError(
                _(
                    "%(code)s: không thể chuyển đơn vị sang đơn vị cấp trên khác bằng nạp dữ liệu; "
                    "hãy sửa trong trang quản trị."
                )
                % {"code": row.code}
            )
        current.name, current.kind, current.valid_to = row.name, row.kind, row.valid_to
        to_update.append(current)
    return to_create, to_update


def _create_by_depth(to_create: list[Division], existing: dict[tuple, Division]) -> None:
    """Insert new units level by level (with history), replacing each in `existing` by its
    saved row: a child's parent_id must exist before the child is inserted."""
    for depth in sorted({o.path.count(PATH_SEPARATOR) for o in to_create}):
        batch = [o for o in to_create if o.path.count(PATH_SEPARATOR) == depth]
        for obj in batch:
            if obj._parent_key:
                obj.parent_id = existing[obj._parent_key].pk
        bulk_create_with_history(batch, Division, batch_size=500)
        # bulk_create returns pks on PostgreSQL and SQLite; reload to be backend-neutral.
        saved = Division.objects.filter(path__in=[o.path for o in batch]).in_bulk(field_name="path")
        for obj in batch:
            existing[(obj.code, obj.valid_from)] = saved[obj.path]


def rows_from_shipped_file(
    path: Path = CA_MAU_2024, *, valid_to: dt.date | None = None
) -> list[DivisionRow]:
    """Rows of a shipped pre-2025 province file (province, district-level, commune-level units).

    `valid_to` (or the file's own "valid_to") closes the district- and commune-level units;
    the province row stays open unless the file closes it (Bạc Liêu did end; Cà Mau did not).
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    if valid_to is None and data.get("valid_to"):
        valid_to = dt.date.fromisoformat(data["valid_to"])
    province = data["province"]
    province_end = valid_to if data.get("valid_to") else None
    rows = [
        DivisionRow(province["code"], province["name"], province["kind"], None, None, province_end)
    ]
    for district in data["districts"]:
        rows.append(
            DivisionRow(
                district["code"],
                district["name"],
                district["kind"],
                province["code"],
                None,
                valid_to,
            )
        )
        for commune in district["communes"]:
            rows.append(
                DivisionRow(
                    commune["code"],
                    commune["name"],
                    commune["kind"],
                    district["code"],
                    None,
                    valid_to,
                )
            )
    return rows


def rows_from_new_structure(path: Path = CA_MAU_2025) -> list[DivisionRow]:
    """Commune-level units of the structure in force from 01/07/2025, under the province."""
    data = json.loads(path.read_text(encoding="utf-8"))
    start = dt.date.fromisoformat(data["valid_from"])
    province = data["province"]["code"]
    return [DivisionRow(c["code"], c["name"], c["kind"], province, start) for c in data["communes"]]


@dataclass(frozen=True)
class SuccessionLink:
    old: str
    new: str
    share: Decimal | None = None
    share_basis: str = ""
    source: str = ""


def links_from_file(path: Path = REORG_2025_MAPPING) -> tuple[dt.date, list[SuccessionLink]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    links = [
        SuccessionLink(
            str(x["old"]),
            str(x["new"]),
            Decimal(str(x["share"])) if x.get("share") is not None else None,
            x.get("share_basis", ""),
            x.get("source", ""),
        )
        for x in data["links"]
    ]
    return dt.date.fromisoformat(data["effective_on"]), links


def _equal_shares(count: int) -> list[Decimal]:
    """1/n at four places, the last taking the remainder so that they sum to exactly 1."""
    equal = (Decimal(1) / count).quantize(Decimal("0.0001"))
    return [equal] * (count - 1) + [Decimal(1) - equal * (count - 1)]


def _basis_of(group: list[SuccessionLink]) -> str:
    if len(group) == 1:
        return group[0].share_basis or ShareBasis.WHOLE
    return group[0].share_basis or ShareBasis.EQUAL


def _group_errors(code: str, name: str, group: list[SuccessionLink]) -> list[str]:
    """What is wrong with one old unit's links: shares, their sum and their stated basis."""
    args = {"code": code, "name": name, "count": len(group)}
    if len(group) > 1 and any(x.share is None for x in group):
        return [
            _(
                "%(code)s %(name)s chuyển sang %(count)s đơn vị mới nhưng thiếu tỷ lệ; hãy ghi "
                "tỷ lệ cho từng đơn vị mới (tổng bằng 1)."
            )
            % args
        ]
    shares = [x.share if x.share is not None else Decimal(1) for x in group]
    if any(not (0 <= x <= 1) for x in shares) or not any(shares):
        return [
            _("%(code)s %(name)s: tỷ lệ phải từ 0 đến 1 và ít nhất một tỷ lệ lớn hơn 0.") % args
        ]
    if sum(shares, Decimal(0)) != 1:
        return [_("%(code)s %(name)s: tổng tỷ lệ chuyển sang các đơn vị mới phải bằng 1.") % args]
    bases = {_basis_of(group) if not x.share_basis else x.share_basis for x in group}
    if len(bases) > 1 or not bases <= set(ShareBasis.values):
        return [
            _(
                "%(code)s %(name)s: cơ sở tỷ lệ phải là một trong whole, equal, population, area "
                "và giống nhau cho mọi đơn vị mới."
            )
            % args
        ]
    basis = bases.pop()
    if (basis == ShareBasis.WHOLE) != (len(group) == 1):
        return [
            _(
                "%(code)s %(name)s: chỉ đơn vị chuyển toàn bộ sang một đơn vị mới mới có cơ sở "
                "tỷ lệ whole; đơn vị bị chia tách ghi equal, population hoặc area."
            )
            % args
        ]
    if basis == ShareBasis.EQUAL and sorted(shares) != sorted(_equal_shares(len(group))):
        return [
            _(
                "%(code)s %(name)s: tỷ lệ ghi là chia đều nhưng không bằng 1/%(count)s cho mỗi "
                "đơn vị mới."
            )
            % args
        ]
    return []


def _link_errors(
    links: list[SuccessionLink], olds: dict, news: dict, day_before: dt.date, effective_on
) -> list[str]:
    errors: list[str] = []
    grouped: dict[str, list[SuccessionLink]] = defaultdict(list)
    for n, link in enumerate(links, start=1):
        if link.old not in olds:
            errors.append(
                _(
                    "Dòng %(n)s của bảng chuyển đổi: không có đơn vị cũ mã %(code)s còn hiệu lực "
                    "ngày %(day)s."
                )
                % {"n": n, "code": link.old, "day": f"{day_before:%d/%m/%Y}"}
            )
        if link.new not in news:
            errors.append(
                _(
                    "Dòng %(n)s của bảng chuyển đổi: không có đơn vị mới mã %(code)s có hiệu lực "
                    "từ ngày %(day)s."
                )
                % {"n": n, "code": link.new, "day": f"{effective_on:%d/%m/%Y}"}
            )
        grouped[link.old].append(link)
    for code, group in grouped.items():
        errors += _group_errors(code, olds[code].name if code in olds else code, group)
    return errors


@transaction.atomic
def successions_upsert(*, links: list[SuccessionLink], effective_on: dt.date) -> int:
    """Write old → new links, all or nothing; returns the number of links created.

    The old unit is the one with the code in force the day before `effective_on`, the new one
    the one in force on it. A unit split between several successors needs a share for each,
    summing to 1, and the basis of the shares; a unit taken over whole may omit both (share 1).
    The file is the truth for the old units it names: a link it no longer lists is deleted.
    Every created, changed or deleted link is kept in the links' history.
    """
    day_before = effective_on - dt.timedelta(days=1)
    olds = Division.objects.by_codes({x.old for x in links}, on=day_before)
    news = Division.objects.by_codes({x.new for x in links}, on=effective_on)
    errors = _link_errors(links, olds, news, day_before, effective_on)
    if errors:
        raise ValidationError(errors)
    grouped: dict[str, list[SuccessionLink]] = defaultdict(list)
    for link in links:
        grouped[link.old].append(link)
    have = {
        (s.predecessor_id, s.successor_id): s
        for s in DivisionSuccession.objects.filter(predecessor__in=olds.values())
    }
    wanted: dict[tuple[int, int], DivisionSuccession] = {}
    for code, group in grouped.items():
        basis = _basis_of(group)
        for link in group:
            key = (olds[code].pk, news[link.new].pk)
            wanted[key] = DivisionSuccession(
                predecessor_id=key[0],
                successor_id=key[1],
                effective_on=effective_on,
                share=link.share if link.share is not None else Decimal(1),
                share_basis=basis,
                source=link.source,
            )
    _write_succession_changes(have, wanted)
    return sum(1 for key in wanted if key not in have)


SUCCESSION_FIELDS = ("effective_on", "share", "share_basis", "source")


def _write_succession_changes(
    have: dict[tuple[int, int], DivisionSuccession],
    wanted: dict[tuple[int, int], DivisionSuccession],
) -> None:
    """Create, update and delete links set-based, each change with its history row."""
    created = [link for key, link in wanted.items() if key not in have]
    changed = []
    for key, link in wanted.items():
        current = have.get(key)
        if current is not None and any(
            getattr(current, f) != getattr(link, f) for f in SUCCESSION_FIELDS
        ):
            for f in SUCCESSION_FIELDS:
                setattr(current, f, getattr(link, f))
            changed.append(current)
    gone = [link for key, link in have.items() if key not in wanted]
    if created:
        bulk_create_with_history(created, DivisionSuccession, batch_size=500)
    if changed:
        bulk_update_with_history(changed, DivisionSuccession, list(SUCCESSION_FIELDS))
    if gone:
        historical = DivisionSuccession.history.model
        now = timezone.now()
        historical.objects.bulk_create(
            historical(
                id=link.pk,
                predecessor_id=link.predecessor_id,
                successor_id=link.successor_id,
                **{f: getattr(link, f) for f in SUCCESSION_FIELDS},
                history_date=now,
                history_type="-",
            )
            for link in gone
        )
        DivisionSuccession.objects.filter(pk__in=[link.pk for link in gone]).delete()


def _place_name(name: str) -> str:
    """A unit's name without its kind ("Xã", "Phường", ...), case or tone-mark placement."""
    for prefix in ("Thị trấn ", "Phường ", "Xã ", "Đặc khu "):
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    return unicodedata.normalize("NFC", name.lower().replace("oà", "òa").replace("oá", "óa"))


def primary_successors(predecessor_ids: Iterable[int]) -> dict[int, int]:
    """Old unit → the one successor that continues it where only one can (its teams).

    The successor with the largest share; shares set equal by assumption are all equal (the
    rounding remainder decides nothing), and a tie goes to the successor that keeps the old
    unit's name, then to the lowest code. One query.
    """
    rows = DivisionSuccession.objects.filter(predecessor_id__in=list(predecessor_ids)).values_list(
        "predecessor_id",
        "successor_id",
        "share",
        "share_basis",
        "predecessor__name",
        "successor__name",
        "successor__code",
    )
    best: dict[int, tuple] = {}
    for pred, succ, share, basis, pred_name, succ_name, succ_code in rows:
        share = Decimal(1) if share is None else share
        weight = Decimal(0) if basis == ShareBasis.EQUAL else -share
        key = (weight, _place_name(pred_name) != _place_name(succ_name), succ_code, succ)
        if pred not in best or key < best[pred]:
            best[pred] = key
    return {pred: key[-1] for pred, key in best.items()}


@dataclass
class LoadResult:
    divisions: UpsertResult
    successions: int


@transaction.atomic
def reorganisation_load() -> LoadResult:
    """Everything `load_divisions` loads: old Cà Mau and old Bạc Liêu (ending 30/06/2025), the
    64 units from 01/07/2025 under the continuing province, and the successions."""
    end = REORG_DATE - dt.timedelta(days=1)
    rows = (
        rows_from_shipped_file(CA_MAU_2024, valid_to=end)
        + rows_from_shipped_file(BAC_LIEU_2024)
        + rows_from_new_structure(CA_MAU_2025)
    )
    result = divisions_upsert(rows=rows)
    effective_on, links = links_from_file(REORG_2025_MAPPING)
    return LoadResult(result, successions_upsert(links=links, effective_on=effective_on))
