"""Passage-ranking variants measured offline on a dump of bench/passage_features.py.

    python bench/passage_offline.py FILE.npz [--learned]

Prints R@1, R@5 and MRR (first relevant chunk, ranks past 10 count 0) per set for: the shipped ranking,
each signal alone, extra RRF terms on top of the shipped ranking (passage MaxSim, pseudo-relevance
feedback), the rerank weights, and with ``--learned`` a logistic and a listwise (softmax per question)
linear model over the signals' RRF terms, out of fold (GroupKFold by document; the paper is one
group). Nothing here is shipped; the numbers choose nothing on a report-only set (the dump refuses them).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

K = 20  # FusionSettings.rrf_k


def slices(qid: np.ndarray) -> list[tuple[int, int]]:
    starts = np.flatnonzero(np.diff(qid, prepend=-1))
    return list(zip(starts.tolist(), np.append(starts[1:], len(qid)).tolist()))


def rrf_terms(x: np.ndarray, qid: np.ndarray) -> np.ndarray:
    """Per chunk and signal, 1 / (K + 1 + its rank among its question's chunks)."""
    out = np.zeros_like(x)
    for s, e in slices(qid):
        order = np.argsort(-x[s:e], axis=0, kind="stable")
        ranks = np.empty_like(order)
        np.put_along_axis(ranks, order, np.arange(e - s)[:, None].repeat(x.shape[1], 1), axis=0)
        out[s:e] = 1.0 / (K + 1 + ranks)
    return out


def first_ranks(score: np.ndarray, relevant: np.ndarray, qid: np.ndarray) -> np.ndarray:
    out = []
    for s, e in slices(qid):
        hit = np.flatnonzero(relevant[s:e][np.argsort(-score[s:e], kind="stable")])
        out.append(hit[0] + 1 if len(hit) else 10**6)
    return np.array(out)


def line(label: str, ranks: np.ndarray, sets: np.ndarray) -> str:
    parts = [f"{label:34s}"]
    for name in dict.fromkeys(sets.tolist()):
        r = ranks[sets == name]
        parts.append(f"{name[:9]:9s} R@1 {np.mean(r <= 1):.3f} R@5 {np.mean(r <= 5):.3f} "
                     f"MRR {np.mean(np.where(r <= 10, 1.0 / r, 0.0)):.3f}")
    return " | ".join(parts)


def listwise(f: np.ndarray, y: np.ndarray, qid: np.ndarray, l2: float):
    """A linear score fitted so each question's relevant chunks take the softmax mass (L2 ``l2``)."""
    from scipy.optimize import minimize

    mu, sd = f.mean(0), f.std(0) + 1e-9
    x = (f - mu) / sd
    _, inv = np.unique(qid, return_inverse=True)
    keep = (np.bincount(inv, weights=y) > 0)[inv]
    x, y = x[keep], y[keep]
    inv = np.unique(inv[keep], return_inverse=True)[1]
    nq = int(inv.max()) + 1

    def loss(w):
        s = x @ w
        top = np.full(nq, -np.inf)
        np.maximum.at(top, inv, s)
        e = np.exp(s - top[inv])
        z, zp = np.bincount(inv, weights=e, minlength=nq), np.bincount(inv, weights=e * y, minlength=nq)
        grad = -(x.T @ (e * y / zp[inv] - e / z[inv])) + 2 * l2 * w
        return -(np.log(zp) - np.log(z)).sum() + l2 * w @ w, grad

    w = minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B").x
    return lambda g: ((g - mu) / sd) @ w


def out_of_fold(f, y, qid, groups, fit, folds=5) -> np.ndarray:
    from sklearn.model_selection import GroupKFold

    out = np.zeros(len(y))
    for train, test in GroupKFold(n_splits=folds).split(f, y, groups):
        out[test] = fit(f[train], y[train], qid[train])(f[test])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dump", type=Path)
    parser.add_argument("--learned", action="store_true")
    args = parser.parse_args()
    z = np.load(args.dump)
    x, relevant, qid = z["x"], z["relevant"], z["qid"]
    names = list(z["signals"])
    sets = z["sets"]
    col = names.index
    r = rrf_terms(x, qid)
    show = lambda label, score: print(line(label, first_ranks(score, relevant, qid), sets))  # noqa: E731
    show("shipped", x[:, col("final_fused")])
    for name in names:
        if name not in ("final_fused", "position"):
            show(f"alone {name}", x[:, col(name)])
    final = x[:, col("final_fused")]
    for name in [n for n in names if n.startswith(("prf_", "chunk_late_"))]:
        for w in (1, 2, 4, 6):
            show(f"+{w} {name}", final + w * r[:, col(name)])
    prior = x[:, col("prior_fused")]
    for ranker_w, maxsim_w in ((0, 3), (1, 0), (1, 2), (1, 4), (2, 3), (3, 4)):
        show(f"chunk_ranker {ranker_w} chunk_maxsim {maxsim_w}",
             prior + ranker_w * r[:, col("ranker_logit")] + maxsim_w * r[:, col("maxsim")])
    if args.learned:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        groups = np.where(np.isin(z["groups"], ["gold", "gold_reader_dev"]), "paper", z["groups"])[qid]
        use = [col(n) for n in ("chunk_dense", "chunk_lexical", "sentence_dense", "sentence_lexical", "window_dense",
                                "ranker_logit", "maxsim", "paragraph_dense", "paragraph_lexical", "sentence_fused",
                                "chunk_late_pool")]
        f, y = r[:, use], relevant.astype(float)
        for c in (0.1, 1.0):
            def logistic(a, b, _, c=c):
                model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000)).fit(a, b)
                return model.decision_function
            show(f"logistic C {c} (out of fold)", out_of_fold(f, y, qid, groups, logistic))
        for l2 in (1.0, 10.0, 30.0):
            show(f"listwise l2 {l2} (out of fold)", out_of_fold(f, y, qid, groups, lambda a, b, q, l2=l2: listwise(a, b, q, l2)))


if __name__ == "__main__":
    main()
