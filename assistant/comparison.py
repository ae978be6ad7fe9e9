"""``assistant eval --compare``: which questions got better or worse between two results files."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    id: str
    type: str
    verdict: str  # "better", "worse" or "mixed"
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Comparison:
    system: str
    changes: tuple[Change, ...]
    unchanged: int
    only_old: tuple[str, ...]
    only_new: tuple[str, ...]
    deltas: dict  # metric -> (old, new)
    # "fusion.rrf_k: 20 -> 30" for each recorded setting that changed; None when a run recorded none
    settings: tuple[str, ...] | None = None

    def count(self, verdict: str) -> int:
        return sum(c.verdict == verdict for c in self.changes)

    def sign_test(self) -> float | None:
        """Two-sided exact sign test over the questions that got better or worse (scipy's binomtest
        at 0.5; mixed ones left out): the chance of a split at least this uneven if the change made
        no difference. None when no question got better or worse."""
        better, worse = self.count("better"), self.count("worse")
        if better + worse == 0:
            return None
        from scipy.stats import binomtest

        return round(float(binomtest(better, better + worse, 0.5).pvalue), 4)

    def chance(self) -> str:
        """The sign test in words."""
        p = self.sign_test()
        if p is None:
            return "no question got better or worse"
        verdict = "could well be chance" if p >= 0.05 else "unlikely to be chance"
        return (f"sign test over the {self.count('better')} better and {self.count('worse')} worse questions: "
                f"p = {p:.2f} ({verdict})")

    def summary(self) -> str:
        line = (f"{self.system}: {self.count('better')} better, {self.count('worse')} worse, "
                f"{self.count('mixed')} mixed, {self.unchanged} unchanged")
        if self.only_old or self.only_new:
            line += f" ({len(self.only_new)} only in new, {len(self.only_old)} only in old)"
        return line

    def as_dict(self) -> dict:
        return {"system": self.system, "summary": self.summary(), "sign_test_p": self.sign_test(), "unchanged": self.unchanged,
                "only_old": list(self.only_old), "only_new": list(self.only_new),
                "changes": [{"id": c.id, "type": c.type, "verdict": c.verdict, "notes": list(c.notes)}
                            for c in self.changes],
                "deltas": {m: {"old": o, "new": n} for m, (o, n) in self.deltas.items()},
                "settings": None if self.settings is None else list(self.settings)}


COMPARED_METRICS = ("recall@1", "recall@5", "mrr@10", "evidence_hit", "token_f1",
                    "abstain_on_unanswerable", "answered_on_answerable",
                    "cv_abstain_on_unanswerable", "cv_answered_on_answerable", "confidence_ece", "confidence_auroc",
                    "confidence_brier")


def compare(old: dict, new: dict, system: str = "hybrid") -> Comparison:
    """Questions that got better or worse in ``system`` between two results files."""
    old_rows = {r["id"]: r for r in old["records"] if system in r.get("systems", {})}
    new_rows = {r["id"]: r for r in new["records"] if system in r.get("systems", {})}
    changes, unchanged = [], 0
    for qid, row in new_rows.items():
        if qid not in old_rows:
            continue
        better, worse = _hit_changes(old_rows[qid]["systems"][system]["hits"], row["systems"][system]["hits"])
        if not better and not worse:
            unchanged += 1
            continue
        verdict = "mixed" if better and worse else "better" if better else "worse"
        changes.append(Change(qid, row.get("type", ""), verdict, tuple(better + worse)))
    deltas = {m: (_metric(old, system, m), _metric(new, system, m)) for m in COMPARED_METRICS}
    return Comparison(system, tuple(changes), unchanged, tuple(q for q in old_rows if q not in new_rows),
                      tuple(q for q in new_rows if q not in old_rows), deltas, settings_changes(old, new))


def settings_changes(old: dict, new: dict) -> tuple[str, ...] | None:
    """``name: old -> new`` for each setting the two runs recorded differently; None when either run
    recorded no settings (a results file from before they were recorded)."""
    before, after = old.get("meta", {}).get("settings"), new.get("meta", {}).get("settings")
    if not isinstance(before, dict) or not isinstance(after, dict):
        return None
    names = dict.fromkeys([*after, *before])
    return tuple(f"{name}: {_shown(before.get(name))} -> {_shown(after.get(name))}"
                 for name in names if before.get(name) != after.get(name))


def _shown(value) -> str:
    return "none" if value is None else str(value)


def _metric(results: dict, system: str, name: str):
    return results.get("systems", {}).get(system, {}).get("overall", {}).get(name)


def _hit_changes(old: dict, new: dict) -> tuple[list[str], list[str]]:
    better, worse = [], []
    for key, gained, lost in (("evidence_hit", "evidence hit gained", "evidence hit lost"),
                              ("abstain_correct", "abstention decision now right", "abstention decision now wrong")):
        if old.get(key) is False and new.get(key) is True:
            better.append(gained)
        elif old.get(key) is True and new.get(key) is False:
            worse.append(lost)
    before, after = old.get("first_relevant_rank"), new.get("first_relevant_rank")
    if before != after and (before is not None or after is not None):
        note = f"first relevant rank {_rank(before)} -> {_rank(after)}"
        (better if _rank_value(after) < _rank_value(before) else worse).append(note)
    f1_before, f1_after = old.get("f1"), new.get("f1")
    if f1_before is not None and f1_after is not None and abs(f1_after - f1_before) >= 0.2:
        (better if f1_after > f1_before else worse).append(f"F1 {f1_before:.2f} -> {f1_after:.2f}")
    return better, worse


def _rank(rank: int | None) -> str:
    return "none" if rank is None else str(rank)


def _rank_value(rank: int | None) -> float:
    return float("inf") if rank is None else rank
