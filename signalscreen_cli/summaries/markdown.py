"""``summary.md`` of an explain run: the headline numbers, ready for ``cat summary.md >> $GITHUB_STEP_SUMMARY``.

``evaluate`` writes its own ``summary.md`` (the scores and the gates) in the same style.
"""

from __future__ import annotations

from typing import Any

SUMMARY_MD = "summary.md"


def explain_markdown(document: dict[str, Any], manifest: dict[str, Any]) -> str:
    """Signals, predictions (with labels: accuracy, confusion matrix, misclassified), where the model looks
    per class and method, and how much the methods agree."""
    names, maps = document["class_names"], document["maps"]
    unit = "s" if document.get("sampling_rate") else "samples"
    model, data = (manifest.get(part, {}).get("path", "?") for part in ("model", "data"))
    lines = [
        f"### SignalScreen explain: `{model}` on `{data}`",
        "",
        f"{document['signals']} signals; maps: {', '.join(maps)}.",
        "",
    ]
    labels = document.get("labels")
    true = {g["class"]: g for g in document["groups"] if g["by"] == "true"}
    header = "| class | predicted |" + (" true | right |" if labels else "")
    lines += [header, "| --- | ---: |" + (" ---: | ---: |" if labels else "")]
    for k, name in enumerate(names):
        row = f"| {name} | {document['predicted_counts'].get(name, 0)} |"
        if labels:
            row += f" {true[k]['count']} | {true[k].get('correct', 0)} |"
        lines.append(row)
    if labels:
        wrong = labels["misclassified"][:10]
        listed = ", ".join(f"{e['file_row']} ({e['true']}→{e['predicted']})" for e in wrong)
        lines += [
            "",
            f"Accuracy **{labels['accuracy']:.3f}**; {labels['misclassified_count']} misclassified"
            + (f": rows {listed}" + (" …" if labels["misclassified_count"] > len(wrong) else "") if wrong else "")
            + ".",
        ]
    lines += [
        "",
        f"Where the model looks: the segment with the largest mean |attribution| ({unit}), its share of the total.",
        "",
        "| class | " + " | ".join(maps) + " |",
        "| --- |" + " --- |" * len(maps),
    ]
    for group in document["groups"]:
        if group["by"] != "target" or not group["count"]:
            continue
        cells = []
        for name in maps:
            segments = group["maps"].get(name, {}).get("top_segments", [])
            cells.append(_segment(segments[0], unit) if segments else "–")
        lines.append(f"| {group['name']} ({group['count']}) | " + " | ".join(cells) + " |")
    pairs = _agreement_lines(document)
    if pairs:
        lines += ["", "Method agreement (Pearson r of the class-mean maps, like with like):", "", *pairs]
    return "\n".join(lines) + "\n"


def _segment(segment: dict[str, float], unit: str) -> str:
    where = (
        f"{segment['start_s']:.3f}–{segment['stop_s']:.3f}"
        if unit == "s"
        else f"{int(segment['start'])}–{int(segment['stop'])}"
    )
    return f"{where} ({100 * segment['weight']:.0f} %)"


def _agreement_lines(document: dict[str, Any]) -> list[str]:
    maps = document["maps"]
    found = []
    for group in document["groups"]:
        table = group.get("agreement")
        if not table or len(maps) < 2:
            continue
        values = [
            f"{maps[i]}/{maps[j]} {table[i][j]:.2f}" if table[i][j] is not None else f"{maps[i]}/{maps[j]} n/a"
            for i in range(len(maps))
            for j in range(i + 1, len(maps))
        ]
        found.append(f"- {group['name']}: " + ", ".join(values))
    return found
