"""The sizes an article's fields may have, shared by the studio, the import and the API. No ORM."""

TITLE_MAX = 120  # Article.title's max_length
SUMMARY_MAX = 200  # Article.summary's max_length
MAX_TAGS = 10
TAG_MAX = 20
