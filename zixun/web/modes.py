"""Presentation modes a reader can turn on. Presentation only: services never branch on them."""

CARE_COOKIE = "zixun_care"
A11Y_COOKIE = "zixun_a11y"
MODE_COOKIES = {"care": CARE_COOKIE, "a11y": A11Y_COOKIE}
