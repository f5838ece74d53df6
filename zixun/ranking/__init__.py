"""Distribution: what each reader is shown (the hot list, related articles, the personalized
feed) and how well it ranks (the offline evaluation)."""
