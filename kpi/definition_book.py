"""The KPI definition book (KPI定義書): the plan's definitions, formulas, targets and owners as one document
the whole company can read, in Markdown or CSV, in Japanese or English.

The words (the title, the column headers, the names of units, directions, indicators and cadences) come from
the KPI catalogue (``kpi.book.*``) in the requested language; the Markdown is the template
``kpi/definition_book.md``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation

from core.messages import Message, message_is_known, message_render
from kpi.feeds import metric_rules
from kpi.formulas import FormulaError, parse_formula
from kpi.models import KpiNode, KpiPlan, KpiTarget
from kpi.selectors import plan_nodes
from kpi.units import value_format

_COLUMNS = ("kind", "key", "name", "parent", "definition", "formula", "unit", "direction", "indicator",
            "department", "owner", "cadence", "data_source", "crm_rule", "target_fy")  # fmt: skip


@dataclass(frozen=True)
class DefinitionBook:
    plan: KpiPlan
    language: str
    header: list[str]
    rows: list[list[str]]


def _choice(field: str, value: str) -> str:
    """The name of a unit, direction, indicator or cadence in the active language (the value if unnamed)."""
    code = f"kpi.book.{field}.{value}"
    return message_render(code) if message_is_known(code) else value


def _crm_rules(node: KpiNode, rules: dict[str, Message]) -> str:
    """How each base metric the formula reads is counted from CRM records (``metric: rule``), in tree order."""
    try:
        reads = sorted(parse_formula(node.formula).references) if node.formula.strip() else []
    except FormulaError:
        return ""
    return "; ".join(f"{key}: {rules[key].render()}" for key in reads if key in rules)


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
    rules = metric_rules()
    with translation.override(language):
        header = [message_render(f"kpi.book.column.{c}") for c in _COLUMNS]
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
                "unit": _choice("unit", node.unit),
                "direction": _choice("direction", node.direction),
                "indicator": _choice("indicator", node.indicator),
                "department": node.department,
                "owner": (owner.full_name or owner.email) if owner else "",
                "cadence": _choice("cadence", node.cadence),
                "data_source": node.data_source,
                "crm_rule": _crm_rules(node, rules),
                "target_fy": value_format(node.target_value, node.unit) or "",
            }
            row = [cells[c] for c in _COLUMNS]
            row += [value_format(t.value, node.unit) or "" for t in quarters.get(node.id, [])]
            rows.append(row + [""] * (len(header) - len(row)))
    return DefinitionBook(plan=plan, language=language, header=header, rows=rows)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def definition_book_markdown(book: DefinitionBook) -> str:
    """The book as Markdown (template ``kpi/definition_book.md``), its words in the book's language."""
    with translation.override(book.language):
        context = {
            "title": message_render("kpi.book.title"),
            "plan": book.plan,
            "header": book.header,
            "rows": [[_md_cell(c) for c in row] for row in book.rows],
        }
        return render_to_string("kpi/definition_book.md", context)


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
