"""``make bench``: the article page against a bare view serving the same bytes.

Run it as ``python -m bench`` from the project root; see bench/README.md.
"""
