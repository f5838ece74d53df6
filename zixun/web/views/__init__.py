"""The HTML views, one module per area: reading (home, channels, articles, accounts, modes),
engagement (like, favourite, share, follow, comment), feed (关注), me (我的), studio
(创作中心, 申请入驻), editorial (审核) and bench (only with ZIXUN_BENCH)."""
