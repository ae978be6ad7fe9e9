"""The tables ``assistant eval`` prints: headline metrics, per type, changes, an abstention fit."""

from __future__ import annotations

from pathlib import Path

from assistant import calibration
from assistant.comparison import Comparison


_ROWS = (
    ("Retrieval", (("Recall@1", "recall@1"), ("Recall@3", "recall@3"), ("Recall@5", "recall@5"),
                   ("Recall@10", "recall@10"), ("MRR@10", "mrr@10"))),
    ("Answers", (("evidence hit", "evidence_hit"), ("gold-token recall", "token_recall"),
                 ("token F1", "token_f1"), ("median words", "median_words"))),
    ("Citations", (("exact source slices", "citation_exact"),)),
    ("Abstention", (("abstained on unanswerable", "abstain_on_unanswerable"),
                    ("answered on answerable", "answered_on_answerable"),
                    ("abstain precision", "abstain_precision"), ("abstain recall", "abstain_recall"),
                    ("abstained on unanswerable, 5-fold CV (mean of 10 seeds)", "cv_abstain_on_unanswerable"),
                    ("answered on answerable, 5-fold CV (mean of 10 seeds)", "cv_answered_on_answerable"))),
    ("Confidence", (("ECE, answers shown (10 bins)", "confidence_ece"), ("AUROC vs evidence hit", "confidence_auroc"),
                    ("Brier score (lower is better)", "confidence_brier"))),
    ("Latency", (("p50 ms", "latency_p50_ms"), ("p95 ms", "latency_p95_ms"))),
)
_TYPE_COLUMNS = (("R@1", "recall@1"), ("R@5", "recall@5"), ("MRR", "mrr@10"), ("hit", "evidence_hit"),
                 ("rec", "token_recall"), ("F1", "token_f1"))


def fmt(value, key: str = "") -> str:
    if value is None:
        return "–"
    if key.endswith("_ms") or key == "median_words":
        return f"{value:.0f}" if key == "median_words" else f"{value:.1f}"
    return f"{value:.3f}"


def headline_table(results: dict):
    from rich.table import Table

    systems = list(results["systems"])
    overall = {name: results["systems"][name]["overall"] for name in systems}
    first = overall[systems[0]]
    table = Table(title=f"{first['questions']} questions ({first['answerable']} answerable, "
                        f"{first['unanswerable']} unanswerable) · {Path(results['meta']['gold']).name}")
    table.add_column("metric")
    for name in systems:
        table.add_column(name, justify="right")
    for group, rows in _ROWS:
        table.add_section()
        for label, key in rows:
            table.add_row(f"{group}: {label}", *(fmt(overall[name].get(key), key) for name in systems))
    table.caption = abstention_scope(results)
    return table


def abstention_scope(results: dict) -> str:
    """Says whether the abstention rows are in-sample (the model was fitted on this gold file)."""
    if results["meta"].get("abstention_model", {}).get("fitted_on_this_gold"):
        return ("abstention model fitted on this gold file: its rows above are in-sample; "
                "the CV rows refit it on 4/5 of the questions and score the other fifth")
    return ("abstention model not fitted on this gold file: its rows above are out-of-sample; "
            "the CV rows are a model refitted on this file's own questions, 4/5 at a time")


def type_table(results: dict, system: str = "hybrid"):
    from rich.table import Table

    table = Table(title=f"{system}, by question type (hit = evidence hit, rec = gold-token recall, "
                        "ok = right answer/abstain decision)")
    table.add_column("type", no_wrap=True)
    table.add_column("n", justify="right")
    for label, _ in _TYPE_COLUMNS:
        table.add_column(label, justify="right")
    table.add_column("ok", justify="right")
    for name, m in results["systems"][system]["by_type"].items():
        decision = m["answered_on_answerable"] if m["answerable"] else m["abstain_on_unanswerable"]
        table.add_row(name, str(m["questions"]), *(fmt(m[key], key) for _, key in _TYPE_COLUMNS), fmt(decision))
    return table


def comparison_renderable(comparison: Comparison):
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"changes since the previous run ({comparison.system})")
    for column in ("id", "type", "verdict", "what changed"):
        table.add_column(column)
    styles = {"better": "green", "worse": "red", "mixed": "yellow"}
    for change in sorted(comparison.changes, key=lambda c: (c.verdict, c.id)):
        table.add_row(change.id, change.type, Text(change.verdict, style=styles[change.verdict]),
                      "; ".join(change.notes))
    deltas = "  ".join(f"{m} {fmt(o)} -> {fmt(n)}" for m, (o, n) in comparison.deltas.items())
    settings = ("settings: one of the two runs did not record them" if comparison.settings is None
                else "settings changed: " + "; ".join(comparison.settings) if comparison.settings else "settings unchanged")
    return Group(table, Text(comparison.summary(), style="bold"), Text(comparison.chance()), Text(deltas, style="dim"),
                 Text(settings, style="dim"))


def interval_table(results: dict, system: str = "hybrid"):
    """The rates that count questions, each with its 95% Wilson interval; None for a results file
    written before intervals were recorded."""
    from rich.table import Table

    spans = results["systems"][system].get("intervals")
    if not spans:
        return None
    labels = {key: f"{group}: {label}" for group, rows in _ROWS for label, key in rows}
    table = Table(title=f"{system}: how sure each rate is (95% Wilson interval; the same system on as many "
                        "new questions like these would most likely land inside it)")
    for column in ("metric", "rate", "questions", "95% interval"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for key, span in spans.items():
        if span:
            table.add_row(labels.get(key, key), f"{span['count'] / span['n']:.3f}", f"{span['count']} of {span['n']}",
                          f"{span['low']:.2f}-{span['high']:.2f}")
    return table


def results_renderable(results: dict, comparison: Comparison | None = None):
    from rich.console import Group

    parts = [headline_table(results)]
    if "hybrid" in results["systems"]:
        if (spans := interval_table(results)) is not None:
            parts.append(spans)
        parts.append(type_table(results))
        if "calibration" in results["systems"]["hybrid"]:
            parts.append(calibration.reliability_renderable(results["systems"]["hybrid"]["calibration"],
                                                            "hybrid: confidence vs evidence hit (reliability)"))
    if comparison is not None:
        parts.append(comparison_renderable(comparison))
    return Group(*parts)


def fit_renderable(report: dict):
    from rich.console import Group, RenderableType
    from rich.table import Table
    from rich.text import Text

    table = Table(title="abstention model (CV = 5-fold out-of-fold; fit = in-sample; old = model before the fit)")
    table.add_column("metric")
    for column in ("CV dev", "held-out", "fit dev", "old dev", "old held-out"):
        table.add_column(column, justify="right")
    previous = report["previous_model"]
    for key in ("abstain_on_unanswerable", "answered_on_answerable", "abstain_precision", "abstain_recall"):
        table.add_row(key.replace("_", " "), fmt(report["cv"][key]), fmt(report["heldout"][key]),
                      fmt(report["dev_in_sample"][key]), fmt(previous.get("dev", {}).get(key)),
                      fmt(previous.get("heldout", {}).get(key)))
    model = report["model"]
    weights = ", ".join(f"{k}={v:+.3f}" for k, v in model["weights"].items())
    parts: list[RenderableType] = [table]
    if report.get("extra_in_sample") or report.get("external"):
        parts.append(_documents_table(report))
    parts += [Text(f"threshold {model['threshold']:.3f}; bias {model['bias']:+.3f}; {weights}"),
              Text(f"fitted on: {report['fitted_on']}", style="dim"),
              Text(f"criterion: {report['criterion']}; the \"model\" object of --out is what abstain.json holds", style="dim")]
    return Group(*parts)


def _documents_table(report: dict):
    from rich.table import Table

    table = Table(title="other documents (q = questions: answerable/unanswerable; abst. = unanswerable "
                        "abstained on; ans'd = answerable answered; old = model before the fit)")
    table.add_column("document", overflow="fold")
    for column in ("used", "q", "abst.", "ans'd", "old abst.", "old ans'd"):
        table.add_column(column, justify="left" if column == "used" else "right", no_wrap=True)
    previous = report["previous_model"]
    rows = [("fitted", report.get("extra_in_sample", {}), previous.get("extra", {})),
            ("unseen", report.get("external", {}), previous.get("external", {}))]
    for used, documents, old in rows:
        for name, row in documents.items():
            before = old.get(name, {})
            table.add_row(name, used, f"{row['answerable']}/{row['unanswerable']}",
                          fmt(row["abstain_on_unanswerable"]), fmt(row["answered_on_answerable"]),
                          fmt(before.get("abstain_on_unanswerable")), fmt(before.get("answered_on_answerable")))
    return table
