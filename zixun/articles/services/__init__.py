"""Writes of articles, split along the pipeline (docs/architecture.md):

- ``checks``: who may act on an article, and what a submitted article must hold;
- ``drafts``: creating and saving drafts, revising published articles;
- ``review``: submitting, approving, rejecting (and save-then-submit in one transaction);
- ``publishing``: going live, scheduling, unpublishing, takedown, delete and restore,
  pinning, with the background tasks beside them;
- ``counters``: the article's counters and its account's article count, which this
  app owns; other apps move them only through these functions;
- ``images``: uploaded images of an account.

Import the module you need (``from zixun.articles.services import publishing``);
this package re-exports nothing, so no module of it imports another through here.
"""
