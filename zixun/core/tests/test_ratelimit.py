from zixun.core.ratelimit import rate_limit_hit


def test_the_window_opens_at_the_first_request():
    results = [rate_limit_hit(scope="t", who="u1", per_minute=3) for _ in range(5)]
    assert results[:3] == [0, 0, 0]
    assert all(0 < wait <= 61 for wait in results[3:])


def test_scopes_and_people_are_counted_apart():
    for _ in range(3):
        rate_limit_hit(scope="a", who="u1", per_minute=3)
    assert rate_limit_hit(scope="a", who="u2", per_minute=3) == 0
    assert rate_limit_hit(scope="b", who="u1", per_minute=3) == 0
