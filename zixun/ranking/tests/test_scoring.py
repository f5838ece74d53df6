"""Zixun's ranker: its features on a hand-made log, no peeking at labels, a monotone score."""

import json
from dataclasses import replace

import pytest
from django.core.management import call_command

from zixun.ranking.mind import behavior_parse
from zixun.ranking.scoring import (
    INPUTS,
    SIGNS,
    CandidateFeatures,
    ScoringWeights,
    ZixunRanker,
    candidate_score,
    impressions_replayed,
    rows_replayed,
    weights_fit,
    weights_fit_listwise,
    weights_load,
)

# U1 and U2 read N1 and N2; U3 read N9. N7 is clicked by U1 and U2 and passed over by U3.
LOG = [
    "1\tU1\t11/11/2019 8:00:00 AM\tN1 N2\tN7-1 N8-0",
    "2\tU2\t11/11/2019 9:00:00 AM\tN1 N2\tN7-1 N8-0",
    "3\tU3\t11/11/2019 2:00:00 PM\tN9\tN7-0 N8-0",
]
NEXT = "4\tU4\t11/11/2019 2:00:00 PM\tN1\tN7-0 N8-1 N5-0"


def observed(lines=LOG, **kwargs):
    ranker = ZixunRanker(weights=ScoringWeights(half_life_hours=6.0), **kwargs)
    for line in lines:
        ranker.observe(behavior_parse(line))
    return ranker


def test_counts_trend_age_and_co_reading_after_observing():
    ranker = observed()
    n7, n8, n5 = ranker.features(behavior_parse(NEXT))
    assert (n7.impressions, n7.clicks) == (3, 2)
    assert (n8.impressions, n8.clicks) == (3, 0)
    # two clicks, 6 and 5 hours old, with a half-life of 6 hours
    assert n7.trend_clicks == pytest.approx(2**-1 + 2 ** (-5 / 6))
    assert n7.trend_impressions == pytest.approx(2**-1 + 2 ** (-5 / 6) + 1)
    assert n7.age_hours == pytest.approx(6.0)
    assert n7.idle_hours == pytest.approx(0.0)
    # U4 read N1, as U1 and U2 did (and nobody else): both are similar readers who clicked N7
    assert n7.co_reading > 0
    assert n7.co_clicked == pytest.approx(n7.co_shown)
    assert n7.co_shown > 0
    assert n8.co_clicked == 0 < n8.co_shown
    assert n5 == CandidateFeatures()  # never shown, never read, no title


def test_history_readers_and_shown_to_reader():
    ranker = observed()
    again = behavior_parse("5\tU3\t11/11/2019 3:00:00 PM\tN9\tN7-0 N1-0")
    n7, n1 = ranker.features(again)
    assert n7.shown_to_reader == 1  # U3 passed N7 over at 2 PM
    assert n1.history_readers == 2  # in U1's and U2's histories
    assert n1.impressions == 0


def test_title_similarity_and_channel_affinity():
    ranker = observed(
        titles={"N1": "台北市舉行馬拉松比賽", "N7": "馬拉松比賽明天舉行", "N8": "股市今天大跌"},
        categories={"N1": "sports", "N7": "sports", "N8": "finance"},
    )
    n7, n8, _ = ranker.features(behavior_parse(NEXT))
    assert n7.title_similarity > 0.3
    assert n8.title_similarity == 0
    assert (n7.channel_affinity, n8.channel_affinity) == (1.0, 0.0)


def test_scoring_never_reads_the_impressions_own_labels():
    ranker = observed()
    clicked = behavior_parse("4\tU4\t11/11/2019 2:00:00 PM\tN1\tN7-1 N8-1 N5-1")
    passed = behavior_parse("4\tU4\t11/11/2019 2:00:00 PM\tN1\tN7-0 N8-0 N5-0")
    assert ranker.score(clicked) == ranker.score(passed)


def test_a_replay_scores_same_second_impressions_before_observing_them():
    ranker = ZixunRanker(weights=ScoringWeights())
    rows = rows_replayed(ranker, [behavior_parse(line) for line in [*LOG, NEXT]])
    # impressions 3 and 4 share a second: N7 has 2 impressions and 2 clicks for both
    assert [(f.impressions, f.clicks) for f, _ in rows[4:6]] == [(2, 2), (2, 0)]
    assert [(f.impressions, f.clicks) for f, _ in rows[6:8]] == [(2, 2), (2, 0)]
    assert [label for _, label in rows] == [1, 0, 1, 0, 0, 0, 0, 1, 0]


@pytest.mark.parametrize(
    ("name", "more"),
    [
        ("clicks", {"clicks": 3.0}),
        ("trend_clicks", {"trend_clicks": 3.0}),
        ("title_similarity", {"title_similarity": 0.5}),
        ("channel_affinity", {"channel_affinity": 0.8}),
        ("co_reading", {"co_reading": 2.0}),
        ("co_clicked", {"co_clicked": 1.0}),
    ],
)
def test_the_site_weights_score_the_obvious_features_up(name, more):
    """Never down; strictly up unless the fit held the input's coefficient at 0 (co-reading
    adds nothing once the rest is known on the shared sample)."""
    weights = weights_load()
    assert set(weights.coefficients) == set(INPUTS)
    base = CandidateFeatures(impressions=40, clicks=1, trend_clicks=0.5, co_shown=2.0)
    more_score, base_score = (
        candidate_score(replace(base, **more), weights),
        candidate_score(base, weights),
    )
    if name == "co_reading" and weights.coefficients["co_reading"] == 0:
        assert more_score == base_score
    else:
        assert more_score > base_score, name


def test_the_site_weights_keep_the_directions_the_site_explains():
    weights = weights_load()
    for name, sign in SIGNS.items():
        assert sign * weights.coefficients[name] >= 0, name
    assert weights.coefficients["ctr"] > 0 < weights.coefficients["title_similarity"]


def test_the_site_weights_score_older_and_passed_over_items_down():
    weights = weights_load()
    base = CandidateFeatures(impressions=40, clicks=2, age_hours=2)
    assert candidate_score(replace(base, age_hours=30), weights) < candidate_score(base, weights)
    assert candidate_score(replace(base, impressions=80), weights) < candidate_score(base, weights)
    passed = replace(base, shown_to_reader=1)
    assert candidate_score(passed, weights) < candidate_score(base, weights)


def test_the_fit_learns_that_clicked_items_get_clicked():
    lines = [
        f"{i}\tU{i}\t11/11/2019 {8 + i // 4}:{i % 4 * 10:02d}:00 AM\t\tN7-{i % 2} N8-0 N9-{1 - i % 2}"
        for i in range(12)
    ]
    ranker = ZixunRanker(weights=ScoringWeights())
    fitted = weights_fit(rows_replayed(ranker, [behavior_parse(line) for line in lines]))
    assert fitted.coefficients["ctr"] > 0
    assert json.loads(fitted.to_json())["coefficients"]["ctr"] == fitted.coefficients["ctr"]
    assert ScoringWeights.from_json(fitted.to_json()) == fitted


def test_the_command_lists_zixun_and_fits_weights(tmp_path):
    behaviors = tmp_path / "behaviors.tsv"
    behaviors.write_text("\n".join([*LOG, NEXT]) + "\n", encoding="utf-8")
    out = tmp_path / "figures.json"
    call_command(
        "ranking_eval", "--behaviors", str(behaviors), "--json", str(out), "--resamples", "20"
    )
    names = [m["name"] for m in json.loads(out.read_text(encoding="utf-8"))["methods"]]
    assert names == ["random", "popularity", "recency", "zixun"]
    weights = tmp_path / "weights.json"
    call_command("ranking_eval", "--behaviors", str(behaviors), "--fit", str(weights))
    assert set(ScoringWeights.from_json(weights.read_text(encoding="utf-8")).coefficients) == set(
        INPUTS
    )


@pytest.mark.slow(34)
def test_zixun_beats_popularity_on_the_shared_sample(shared_dir, tmp_path):
    sample = shared_dir / "data" / "mind_small_sample"
    out = tmp_path / "figures.json"
    call_command(
        "ranking_eval", "--behaviors", str(sample / "behaviors_train.tsv.gz"),
        "--news", str(sample / "news.tsv.gz"), "--news", str(sample / "news_zh_xmind_cmn_dev.tsv.gz"),
        "--json", str(out), "--resamples", "100",
    )  # fmt: skip
    methods = {m["name"]: m for m in json.loads(out.read_text(encoding="utf-8"))["methods"]}
    assert methods["zixun"]["auc"] > methods["popularity"]["auc"] + 0.02


def test_the_listwise_fit_ranks_clicked_items_up_and_keeps_the_signs():
    # N7 is clicked where N8 and N9 were not; U0…U11 are new readers, so only counters count
    lines = [
        f"{i}\tU{i}\t11/11/2019 {8 + i // 4}:{i % 4 * 10:02d}:00 AM\t\tN7-{i % 2} N8-0 N9-{1 - i % 2}"
        for i in range(12)
    ]
    ranker = ZixunRanker(weights=ScoringWeights())
    impressions = impressions_replayed(ranker, [behavior_parse(line) for line in lines])
    assert [len(found) for found in impressions] == [3] * 12
    assert [row for found in impressions for row in found] == rows_replayed(
        ZixunRanker(weights=ScoringWeights()), [behavior_parse(line) for line in lines]
    )
    fitted = weights_fit_listwise(impressions)
    assert fitted.coefficients["ctr"] > 0
    for name, sign in SIGNS.items():
        assert sign * fitted.coefficients[name] >= 0, name
    with pytest.raises(ValueError, match="clicked and non-clicked"):
        weights_fit_listwise([[(CandidateFeatures(), 0), (CandidateFeatures(), 0)]])
