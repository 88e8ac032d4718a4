"""The progress chart, drawn on the server as SVG numbers for the template.

Each goal's line has its own dash pattern and marker label, so colour is never the only
way to tell them apart, and a data table with the same numbers sits beside it.
"""

from __future__ import annotations

WIDTH = 320
HEIGHT = 220
LEFT = 32
RIGHT = 22
TOP = 12
BOTTOM = 36
COLOURS = ["#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#f47738", "#5694ca", "#b58840"]
DASHES = ["", "6 3", "2 3", "10 4 2 4", "1 5", "12 3", "4 4 1 4"]


def progress_chart(*, progress, reviews) -> dict | None:
    """Lines of the family's 1-10 ratings per goal across reviews; None when nothing rated."""
    rated = [item for item in progress if item.family_ratings]
    if not rated:
        return None
    review_ids = []
    for review in sorted(reviews, key=lambda r: (r.date, r.pk)):
        if any(r.review_id == review.pk for item in rated for r in item.family_ratings):
            review_ids.append(review)
    if not review_ids:
        return None
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(review_ids) - 1, 1)
    x_of = {review.pk: round(LEFT + i * step, 1) for i, review in enumerate(review_ids)}

    def y_of(score: int) -> float:
        return round(TOP + plot_h - (score - 1) * plot_h / 9, 1)

    series = []
    for index, item in enumerate(rated):
        points = [
            {"x": x_of[r.review_id], "y": y_of(r.score), "score": r.score}
            for r in item.family_ratings
            if r.review_id in x_of
        ]
        series.append(
            {
                "number": index + 1,
                "title": item.goal.title,
                "colour": COLOURS[index % len(COLOURS)],
                "dash": DASHES[index % len(DASHES)],
                "points": points,
                "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
                "label_x": points[-1]["x"] + 4 if points else 0,
                "label_y": points[-1]["y"] - 4 if points else 0,
            }
        )
    by_review = {
        (r.review_id, item.goal.pk): r.score for item in rated for r in item.family_ratings
    }
    table = [
        {
            "date": review.date,
            "scores": [by_review.get((review.pk, item.goal.pk)) for item in rated],
        }
        for review in review_ids
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": TOP + plot_h,
        "y_ticks": [{"value": v, "y": y_of(v)} for v in (1, 4, 7, 10)],
        "x_ticks": [
            {"x": x_of[r.pk], "label": f"{r.date:%d/%m}", "y": HEIGHT - BOTTOM + 16}
            for r in review_ids
        ],
        "series": series,
        # Only what the table shows: the chart is kept as a fragment keyed on all of it.
        "goal_titles": [item.goal.title for item in rated],
        "table": table,
    }
