from zixun.audit.wording import audit_phrase, audit_target_name, audit_target_url


def test_an_action_reads_as_words():
    assert audit_phrase("article.submit") == "提交审核"
    assert audit_phrase("article.approve") == "通过"


def test_an_unknown_action_is_shown_as_it_is():
    assert audit_phrase("article.teleport") == "article.teleport"


def test_targets_link_to_where_they_are_seen():
    assert audit_target_name("articles.article", 7) == "文章 #7"
    url = audit_target_url("articles.article", 7, for_editor=True, comment_articles={})
    assert url == "/editor/articles/7/"
    comment = audit_target_url("engagement.comment", 3, for_editor=True, comment_articles={3: 7})
    assert comment.endswith("#comment-3")
    assert audit_target_url("accounts.user", 9, for_editor=True, comment_articles={}) == ""
