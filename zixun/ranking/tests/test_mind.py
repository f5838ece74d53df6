"""Reading MIND logs and replaying them without looking into the future."""

import gzip
from datetime import UTC, datetime

import pytest

from zixun.ranking.baselines import PopularityRanker, RandomRanker, RecencyRanker
from zixun.ranking.mind import LogError, behavior_parse, behaviors_read, news_read, replay

LINES = [
    "2\tU2\t11/12/2019 6:11:30 PM\tN1\tN7-1 N8-0",
    "1\tU1\t11/11/2019 9:05:58 AM\tN1 N2\tN7-0 N8-1 N9-0",
    "3\tU3\t11/12/2019 6:11:30 PM\t\tN8-0 N7-1",
]


def test_a_behaviors_line_is_parsed():
    behavior = behavior_parse(LINES[1])
    assert behavior.time == datetime(2019, 11, 11, 9, 5, 58, tzinfo=UTC)
    assert behavior.history == ("N1", "N2")
    assert behavior.candidates == ("N7", "N8", "N9")
    assert behavior.labels == (0, 1, 0)
    assert behavior_parse(LINES[2]).history == ()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("1\tU1\tN1", "5 tab-separated columns"),
        ("1\tU1\tyesterday\t\tN7-1", "not like 11/11/2019"),
        ("1\tU1\t11/11/2019 9:05:58 AM\t\tN7-2", "not like N123-1"),
        ("1\tU1\t11/11/2019 9:05:58 AM\t\t", "lists no news"),
    ],
)
def test_a_bad_line_says_what_is_wrong_and_where(tmp_path, line, message):
    path = tmp_path / "behaviors.tsv"
    path.write_text(LINES[0] + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(LogError, match=rf"line 2: .*{message}"):
        list(behaviors_read(path))


def test_news_is_read_from_mind_and_xmind_files_gzipped_or_not(tmp_path):
    mind = tmp_path / "news.tsv"
    mind.write_text(
        "N7\tsports\tsoccer\tA title\tAn abstract\thttps://x\t[]\t[]\n", encoding="utf-8"
    )
    xmind = tmp_path / "news_zh.tsv.gz"
    with gzip.open(xmind, "wt", encoding="utf-8") as out:
        out.write("nid\ttitle\tabstract\nN7\t另一个标题\t\nN8\t标题\t摘要\n")
    news = news_read([mind, xmind])
    assert news["N7"].title == "A title"  # the first file's wins
    assert news["N7"].category == "sports"
    assert (news["N8"].title, news["N8"].abstract) == ("标题", "摘要")


def test_the_replay_scores_each_impression_only_from_earlier_ones():
    behaviors = [behavior_parse(line) for line in LINES]
    scored = replay(behaviors, [PopularityRanker()])["popularity"]
    # impression 1 (the earliest) is scored first, with nothing learned: all zero
    assert scored[0] == ((0, 1, 0), [0.0, 0.0, 0.0])
    # impressions 2 and 3 share a second: both know only impression 1's click on N8,
    # not each other's clicks on N7
    assert scored[1] == ((1, 0), [0.0, 1.0])
    assert scored[2] == ((0, 1), [1.0, 0.0])


def test_training_logs_are_learned_before_the_replay():
    train = [behavior_parse("9\tU9\t11/10/2019 1:00:00 AM\t\tN7-1 N9-0")]
    scored = replay([behavior_parse(LINES[1])], [PopularityRanker()], train=train)
    assert scored["popularity"][0][1] == [1.0, 0.0, 0.0]


def test_recency_ranks_the_items_first_seen_last_highest():
    behaviors = [behavior_parse(line) for line in LINES]
    scored = replay(behaviors, [RecencyRanker()])["recency"]
    later = datetime(2019, 11, 12, 18, 11, 30, tzinfo=UTC).timestamp()
    earlier = datetime(2019, 11, 11, 9, 5, 58, tzinfo=UTC).timestamp()
    assert scored[1][1] == [earlier, earlier]  # N7 and N8 were seen on the 11th
    assert scored[0][1] == [earlier] * 3
    assert later > earlier


def test_a_ranker_must_score_every_candidate():
    class Broken(RandomRanker):
        name = "broken"

        def score(self, behavior):
            return [0.5]

    with pytest.raises(ValueError, match="broken gave 1 scores"):
        replay([behavior_parse(LINES[1])], [Broken()])
