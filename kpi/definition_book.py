"""The KPI definition book (KPI定義書): the plan's definitions, formulas, targets and owners as one document
the whole company can read, in Markdown or CSV, in Japanese or English."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from kpi.models import KpiNode, KpiPlan, KpiTarget
from kpi.selectors import plan_nodes
from kpi.units import value_format

_LABELS = {
    "title": ("KPI定義書", "KPI definition book"),
    "plan": ("計画", "Plan"),
    "kind": ("区分", "Level"),
    "key": ("キー", "Key"),
    "name": ("名称", "Name"),
    "parent": ("上位", "Parent"),
    "definition": ("定義", "Definition"),
    "formula": ("計算式", "Formula"),
    "unit": ("単位", "Unit"),
    "direction": ("評価の向き", "Direction"),
    "indicator": ("先行/遅行", "Leading/lagging"),
    "department": ("部門", "Department"),
    "owner": ("責任者", "Owner"),
    "cadence": ("確認頻度", "Cadence"),
    "data_source": ("データソース", "Data source"),
    "target_fy": ("年間目標", "Annual target"),
}
_CHOICES = {
    "unit": {"count": ("件", "count"), "percent": ("%", "%"), "jpy": ("円", "JPY"), "months": ("か月", "months")},
    "direction": {"higher_is_better": ("高いほど良い", "higher is better"),
                  "lower_is_better": ("低いほど良い", "lower is better")},
    "indicator": {"leading": ("先行", "leading"), "lagging": ("遅行", "lagging")},
    "cadence": {"daily": ("日次", "daily"), "weekly": ("週次", "weekly"), "monthly": ("月次", "monthly")},
}  # fmt: skip
_COLUMNS = ("kind", "key", "name", "parent", "definition", "formula", "unit", "direction", "indicator",
            "department", "owner", "cadence", "data_source", "target_fy")  # fmt: skip


@dataclass(frozen=True)
class DefinitionBook:
    title: str
    header: list[str]
    rows: list[list[str]]


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language == "en" else pair[0]


def definition_book_build(*, plan: KpiPlan, language: str) -> DefinitionBook:
    """Every node in tree order (KGI, then each KSF followed by its KPIs) with its quarterly targets."""
    nodes = plan_nodes(plan)
    by_parent: dict[object, list[KpiNode]] = {}
    for node in nodes:
        by_parent.setdefault(node.parent_id, []).append(node)
    ordered: list[KpiNode] = []

    def walk(parent_id: object) -> None:
        for child in by_parent.get(parent_id, []):
            ordered.append(child)
            walk(child.id)

    walk(None)
    by_id = {n.id: n for n in nodes}
    quarters: dict[object, list[KpiTarget]] = {}
    for target in KpiTarget.objects.filter(node__plan=plan, period_kind="quarter").order_by("period_start"):
        quarters.setdefault(target.node_id, []).append(target)
    quarter_count = max((len(q) for q in quarters.values()), default=0)
    header = [_pick(_LABELS[c], language) for c in _COLUMNS]
    header += [f"Q{i + 1}" for i in range(quarter_count)]
    rows = []
    for node in ordered:
        parent = by_id.get(node.parent_id)
        owner = node.owner.user if node.owner_id and node.owner else None
        cells = {
            "kind": node.kind.upper(),
            "key": node.key,
            "name": node.name(language),
            "parent": parent.name(language) if parent else "",
            "definition": node.definition,
            "formula": node.formula,
            "unit": _pick(_CHOICES["unit"].get(node.unit, (node.unit, node.unit)), language),
            "direction": _pick(_CHOICES["direction"][node.direction], language),
            "indicator": _pick(_CHOICES["indicator"][node.indicator], language),
            "department": node.department,
            "owner": (owner.full_name or owner.email) if owner else "",
            "cadence": _pick(_CHOICES["cadence"][node.cadence], language),
            "data_source": node.data_source,
            "target_fy": value_format(node.target_value, node.unit) or "",
        }
        row = [cells[c] for c in _COLUMNS]
        row += [value_format(t.value, node.unit) or "" for t in quarters.get(node.id, [])]
        rows.append(row + [""] * (len(header) - len(row)))
    title = f"{_pick(_LABELS['title'], language)}: {plan.name} (FY{plan.fiscal_year} v{plan.version})"
    return DefinitionBook(title=title, header=header, rows=rows)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def definition_book_markdown(book: DefinitionBook) -> str:
    lines = [f"# {book.title}", "", "| " + " | ".join(book.header) + " |", "|" + "---|" * len(book.header)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in book.rows]
    return "\n".join(lines) + "\n"


def _csv_cell(text: str) -> str:
    """Text a spreadsheet would run as a formula (=, +, -, @) is quoted with a leading apostrophe."""
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def definition_book_csv(book: DefinitionBook) -> str:
    """UTF-8 with a BOM so Excel on Japanese Windows opens it without garbling."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(book.header)
    writer.writerows([_csv_cell(c) for c in row] for row in book.rows)
    return "\ufeff" + buffer.getvalue()
