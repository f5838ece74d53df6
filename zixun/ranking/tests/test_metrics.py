"""The metrics against examples worked out by hand."""

import math

import pytest

from zixun.ranking.metrics import auc, mrr, ndcg, scores_of


@pytest.mark.parametrize(
    ("labels", "scores", "expected"),
    [
        ([1, 0, 0], [0.9, 0.5, 0.1], 1.0),  # the click on top
        ([0, 0, 1], [0.9, 0.5, 0.1], 0.0),  # the click at the bottom
        ([0, 1, 0], [0.9, 0.5, 0.1], 0.5),  # above one of the two others
        ([1, 1, 0, 0], [0.8, 0.2, 0.5, 0.1], 0.75),  # 3 of the 4 pairs in order
        ([1, 0], [0.5, 0.5], 0.5),  # a tie counts half
        ([1, 0, 0], [0.7, 0.7, 0.1], 0.75),  # half of one pair, all of the other
    ],
)
def test_auc(labels, scores, expected):
    assert auc(labels, scores) == pytest.approx(expected)


def test_mrr_divides_the_reciprocal_ranks_by_the_clicks():
    assert mrr([0, 1, 0], [0.9, 0.5, 0.1]) == pytest.approx(1 / 2)
    # ranked: click (0.9), no click (0.5), click (0.1): (1/1 + 1/3) / 2
    assert mrr([1, 0, 1], [0.1, 0.5, 0.9]) == pytest.approx((1 + 1 / 3) / 2)


def test_equal_scores_keep_the_order_shown():
    assert mrr([0, 1], [0.5, 0.5]) == pytest.approx(1 / 2)
    assert mrr([1, 0], [0.5, 0.5]) == pytest.approx(1.0)


def test_ndcg_discounts_by_the_log_of_the_rank_and_cuts_at_k():
    # one click at rank 2: 1 / log2(3), over the best possible 1 / log2(2)
    assert ndcg([0, 1, 0], [0.9, 0.5, 0.1], 5) == pytest.approx(1 / math.log2(3))
    assert ndcg([0, 1, 0], [0.9, 0.5, 0.1], 1) == 0.0
    # two clicks at ranks 1 and 3, of three: (1 + 1/2) / (1 + 1/log2(3))
    expected = (1 + 1 / 2) / (1 + 1 / math.log2(3))
    assert ndcg([1, 0, 1], [0.9, 0.5, 0.1], 10) == pytest.approx(expected)


@pytest.mark.parametrize("metric", [auc, mrr, lambda labels, scores: ndcg(labels, scores, 5)])
def test_an_impression_without_a_click_has_no_figure(metric):
    with pytest.raises(ValueError, match="click"):
        metric([0, 0], [0.2, 0.1])


def test_a_score_is_needed_for_every_item():
    with pytest.raises(ValueError, match="one score per label"):
        mrr([1, 0], [0.5])


def test_scores_average_over_impressions_with_a_click_and_a_non_click():
    impressions = [
        ([1, 0, 0], [0.9, 0.5, 0.1]),  # AUC 1
        ([0, 1, 0], [0.9, 0.5, 0.1]),  # AUC 0.5
        ([0, 0], [0.9, 0.1]),  # no click: left out
        ([1, 1], [0.9, 0.1]),  # only clicks: left out
    ]
    result = scores_of(impressions, resamples=200, seed=1)
    assert result.impressions == 2
    assert result.auc.mean == pytest.approx(0.75)
    assert result.mrr.mean == pytest.approx((1 + 1 / 2) / 2)
    assert result.auc.low <= result.auc.mean <= result.auc.high
    assert (result.auc.low, result.auc.high) != (result.auc.mean, result.auc.mean)
    assert scores_of(impressions, resamples=200, seed=1) == result  # seeded: repeatable
    figures = result.as_dict()
    assert set(figures) >= {"auc", "mrr", "ndcg5", "ndcg10", "auc_low", "ndcg10_high"}


def test_one_impression_has_no_spread():
    result = scores_of([([0, 1], [0.9, 0.1])], resamples=50)
    assert result.auc.low == result.auc.mean == result.auc.high == 0.0


def test_nothing_to_score_is_an_error():
    with pytest.raises(ValueError, match="no impression"):
        scores_of([([0, 0], [0.1, 0.2])])


def test_at_least_one_resample_is_needed():
    with pytest.raises(ValueError, match="resamples"):
        scores_of([([0, 1], [0.9, 0.1])], resamples=0)
