"""The new score sections of ``evaluation.json`` (``truth``, ``robustness``, ``faithfulness``, ``waves``) as
plain tables and sentences for ``report.html``: standard library only, read from the document."""

from __future__ import annotations

from typing import Any

SECTIONS = (  # section, title, label columns, score columns (key, heading)
    (
        "truth",
        "Against the known answer",
        ("map", "class", "signals"),
        (("mass_accuracy", "mass acc ↑"), ("rank_accuracy", "rank acc ↑"), ("pointing_game", "pointing ↑"),
         ("aup", "AUP ↑"), ("aur", "AUR ↑"), ("auprc", "AUPRC ↑")),
    ),
    (
        "robustness",
        "Concentration and robustness",
        ("map",),
        (("sparseness", "Gini ↑"), ("complexity", "entropy ↓"), ("max_sensitivity", "max sens ↓"),
         ("avg_sensitivity", "avg sens ↓"), ("local_lipschitz", "Lipschitz ↓")),
    ),
    (
        "faithfulness",
        "Faithfulness correlation, ROAD, random-logit",
        ("map",),
        (("faithfulness_correlation", "faith corr ↑"), ("road_morf", "ROAD MoRF ↓"), ("road_lerf", "ROAD LeRF ↑"),
         ("random_logit", "random-logit ρ ↓")),
    ),
    (
        "waves",
        "Relevance per wave (share of Σ|map|, and of time)",
        ("map", "class", "signals"),
        (("P", "P"), ("QRS", "QRS"), ("T", "T"), ("rest", "rest"), ("P_time", "P time"), ("QRS_time", "QRS time"),
         ("T_time", "T time"), ("rest_time", "rest time")),
    ),
)  # fmt: skip


def score_tables(document: dict[str, Any]) -> list[dict[str, Any]]:
    """One table per section the run has: ``title``, ``labels``, ``scores`` (key, heading) and ``rows``."""
    return [
        {"title": title, "labels": list(labels), "scores": [list(s) for s in scores], "rows": document[key]["rows"]}
        for key, title, labels, scores in SECTIONS
        if isinstance(document.get(key), dict) and document[key].get("rows")
    ]


def wave_sentences(document: dict[str, Any]) -> list[str]:
    """"class V: 71 % of occlusion's |relevance| on the QRS, which is 18 % of the beat", per map and class, for the
    wave holding the most relevance."""
    sentences = []
    for row in document.get("waves", {}).get("rows", []):
        shares = {wave: row[wave] for wave in ("P", "QRS", "T") if row.get(wave) is not None}
        if row["class"] == "all" or not shares:
            continue
        wave = max(shares, key=shares.__getitem__)
        time = row.get(f"{wave}_time") or 0.0
        sentences.append(
            f"{row['class']} beats: {100 * shares[wave]:.0f} % of {row['map']}'s |relevance| on the {wave}, "
            f"which is {100 * time:.0f} % of the beat"
        )
    return sentences
