"""The shape of the code a maintainer reads: short functions, few branches, and a reason at the
top of every long file. Migrations, tests and vendored files are not held to it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("attainment", "camau_cds", "core", "dashboards", "devtools", "divisions", "reports")
APPS += ("targets", "teams", "documents", "scripts")
MAX_FUNCTION_LINES = 80
MAX_BRANCHES = 15
MAX_FILE_LINES = 500


def source_files() -> list[Path]:
    files = []
    for app in APPS:
        files += [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]
    return sorted(files)


def functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def branches(function: ast.AST) -> int:
    """Branches as pylint counts them (ruff's PLR0912): each if/elif, loop, handler, match arm,
    with an `else` counted once more; nested functions count on their own."""
    count = 0
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.If):
            count += 1
            if node.orelse and not (len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If)):
                count += 1
        elif isinstance(node, ast.For | ast.AsyncFor | ast.While):
            count += 1 + bool(node.orelse)
        elif isinstance(node, ast.Try):
            count += len(node.handlers) + bool(node.orelse) + bool(node.finalbody)
        elif isinstance(node, ast.match_case):
            count += 1
        stack.extend(ast.iter_child_nodes(node))
    return count


def test_the_tree_is_read():
    names = {p.relative_to(ROOT).as_posix() for p in source_files()}
    assert {"reports/services/figures.py", "attainment/engine.py", "core/numbers.py"} <= names


def test_no_function_is_longer_than_one_screen_and_a_half():
    long = [
        f"{path.relative_to(ROOT)}:{f.lineno} {f.name} ({f.end_lineno - f.lineno + 1} lines)"
        for path in source_files()
        for f in functions(ast.parse(path.read_text()))
        if f.end_lineno - f.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, "split into named phases:\n" + "\n".join(long)


def test_no_function_has_more_than_fifteen_branches():
    tangled = [
        f"{path.relative_to(ROOT)}:{f.lineno} {f.name} ({branches(f)} branches)"
        for path in source_files()
        for f in functions(ast.parse(path.read_text()))
        if branches(f) > MAX_BRANCHES
    ]
    assert not tangled, "\n".join(tangled)


def test_every_long_file_says_why_in_its_first_line():
    unexplained = []
    for path in source_files():
        text = path.read_text()
        first = text.lstrip().splitlines()[0] if text.strip() else ""
        if text.count("\n") > MAX_FILE_LINES and "over 500 lines" not in first:
            unexplained.append(f"{path.relative_to(ROOT)} ({text.count(chr(10))} lines)")
    assert not unexplained, "\n".join(unexplained)
