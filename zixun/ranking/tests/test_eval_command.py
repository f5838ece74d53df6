"""``zixun eval-recs`` end to end: the table, the JSON, and clear errors."""

import json

import pytest
from django.core.management import CommandError, call_command

BEHAVIORS = "\n".join(
    [
        "1\tU1\t11/11/2019 9:05:58 AM\t\tN7-0 N8-1 N9-0",
        "2\tU2\t11/11/2019 10:00:00 AM\tN8\tN8-1 N7-0",
        "3\tU3\t11/12/2019 6:11:30 PM\t\tN9-0 N8-1 N7-0",
    ]
)


def test_the_table_and_the_json_name_every_method(tmp_path, capsys):
    behaviors = tmp_path / "behaviors.tsv"
    behaviors.write_text(BEHAVIORS + "\n", encoding="utf-8")
    out = tmp_path / "figures.json"
    call_command(
        "ranking_eval", "--behaviors", str(behaviors), "--json", str(out), "--resamples", "50"
    )
    printed = capsys.readouterr().out
    for name in ("random", "popularity", "recency"):
        assert name in printed
    methods = {m["name"]: m for m in json.loads(out.read_text(encoding="utf-8"))["methods"]}
    assert set(methods) == {"random", "popularity", "recency", "zixun"}
    assert methods["popularity"]["impressions"] == 3
    # N8 is clicked every time: once learned (impressions 2 and 3), popularity puts it first
    assert methods["popularity"]["mrr"] == pytest.approx((1 / 2 + 1 + 1) / 3)
    assert set(methods["random"]) >= {"auc", "mrr", "ndcg5", "ndcg10"}


def test_the_plot_draws_a_bar_per_method_and_metric(tmp_path):
    from PIL import Image

    behaviors = tmp_path / "behaviors.tsv"
    behaviors.write_text(BEHAVIORS + "\n", encoding="utf-8")
    plot = tmp_path / "figures.png"
    call_command(
        "ranking_eval", "--behaviors", str(behaviors), "--plot", str(plot), "--resamples", "20"
    )
    with Image.open(plot) as image:
        assert image.format == "PNG"
        assert image.size == (1200, 360)
        # the three methods' colours are all drawn
        colours = {colour for _, colour in image.convert("RGB").getcolors(1_000_000)}
        assert {(120, 120, 120), (38, 104, 170), (214, 140, 40)} <= colours


def test_a_missing_file_or_a_bad_line_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("ranking_eval", "--behaviors", str(tmp_path / "nope.tsv"))
    bad = tmp_path / "bad.tsv"
    bad.write_text("1\tU1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 1"):
        call_command("ranking_eval", "--behaviors", str(bad))


def test_the_shared_mind_sample_ranks_popularity_above_random(shared_dir, tmp_path):
    sample = shared_dir / "data" / "mind_small_sample"
    out = tmp_path / "figures.json"
    call_command(
        "ranking_eval", "--behaviors", str(sample / "behaviors_train.tsv.gz"),
        "--news", str(sample / "news.tsv.gz"), "--json", str(out), "--resamples", "100",
    )  # fmt: skip
    methods = {m["name"]: m for m in json.loads(out.read_text(encoding="utf-8"))["methods"]}
    assert 0.45 < methods["random"]["auc"] < 0.55
    assert methods["popularity"]["auc_low"] > methods["random"]["auc_high"]
