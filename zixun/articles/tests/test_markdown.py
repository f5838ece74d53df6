import pytest
from django.utils.translation import override
from markdown_it import MarkdownIt

from zixun.articles.markdown import (
    BODY_MAX_CHARS,
    EMPTY_BODY,
    IMAGE_ALT_MISSING,
    MARKDOWN_TOO_LONG,
    MarkdownError,
    markdown_images_without_alt,
    markdown_render,
    markdown_validate,
)
from zixun.core.errors import message_format
from zixun.core.testing import exactly

REL = 'rel="noopener noreferrer nofollow ugc"'


def html_of(source):
    return markdown_render(source)[0]


def test_headings_are_clamped_to_h2_through_h4():
    """The page title is the h1, and the sanitizer allows h2–h4 only."""
    body_html = html_of("# 一级\n\n## 二级\n\n### 三级\n\n#### 四级\n\n###### 六级")
    assert body_html == (
        "<h2>一级</h2>\n<h2>二级</h2>\n<h3>三级</h3>\n<h4>四级</h4>\n<h4>六级</h4>\n"
    )


def test_emphasis_strong_strikethrough_and_inline_code():
    body_html = html_of("*斜体* **加粗** ~~删除~~ `代码`")
    assert body_html == (
        "<p><em>斜体</em> <strong>加粗</strong> <s>删除</s> <code>代码</code></p>\n"
    )


def test_lists_and_blockquote():
    body_html = html_of("- 甲\n- 乙\n\n1. 一\n2. 二\n\n> 引文")
    assert body_html == (
        "<ul>\n<li>甲</li>\n<li>乙</li>\n</ul>\n"
        "<ol>\n<li>一</li>\n<li>二</li>\n</ol>\n"
        "<blockquote>\n<p>引文</p>\n</blockquote>\n"
    )


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("[新闻](https://example.com/a?b=1&c=2)", "https://example.com/a?b=1&amp;c=2"),
        ("[旧站](http://example.com)", "http://example.com"),
        ("[写信](mailto:editor@example.com)", "mailto:editor@example.com"),
        ("[频道](/channels/sports/)", "/channels/sports/"),
        ("[上文](#section-2)", "#section-2"),
        ("[相对](../other)", "../other"),
        ("<https://example.com/自动>", "https://example.com/%E8%87%AA%E5%8A%A8"),
    ],
)
def test_allowed_links_keep_href_and_get_rel(source, href):
    assert f'<a href="{href}" {REL}>' in html_of(source)


def test_link_title_survives():
    assert html_of('[甲](https://example.com "说明")') == (
        f'<p><a href="https://example.com" title="说明" {REL}>甲</a></p>\n'
    )


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "&#106;avascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "data:image/png;base64,iVBORw0KGgo=",
        "file:///etc/passwd",
        "ftp://example.com/x",
        "tel:+861012345678",
    ],
)
def test_other_schemes_are_not_links(url):
    body_html = html_of(f"[点我]({url}) <{url}>")
    assert "<a" not in body_html
    assert "href" not in body_html


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "vbscript:x", "data:text/html,x"]
)
def test_markdown_it_default_validate_link_also_refuses_script_schemes(url):
    assert not MarkdownIt("commonmark").validateLink(url)


@pytest.mark.parametrize(
    ("source", "img"),
    [
        ("![一只猫](/media/uploads/cat.png)", '<img src="/media/uploads/cat.png" alt="一只猫">'),
        (
            "![图](https://cdn.example.com/a.jpg)",
            '<img src="https://cdn.example.com/a.jpg" alt="图">',
        ),
        (
            "![图](http://cdn.example.com/a.jpg)",
            '<img src="http://cdn.example.com/a.jpg" alt="图">',
        ),
        ("![**粗**图](/media/a.png)", '<img src="/media/a.png" alt="粗图">'),
        ("![图](/media/猫.png)", '<img src="/media/%E7%8C%AB.png" alt="图">'),
    ],
)
def test_allowed_images_render_with_alt(source, img):
    assert html_of(source) == f"<p>{img}</p>\n"


@pytest.mark.parametrize(
    "url",
    [
        "/static/admin.png",
        "/media/../admin/logo.png",
        "/media/%2e%2e/admin/logo.png",
        "//evil.example/pixel.gif",
        "pixel.gif",
        "data:image/png;base64,iVBORw0KGgo=",
        "javascript:alert(1)",
        "mailto:a@example.com",
    ],
)
def test_other_image_urls_are_not_images(url):
    assert "<img" not in html_of(f"![替代文字]({url})")


def test_refused_image_leaves_its_alt_text():
    assert html_of("前![替代文字](//evil.example/p.gif)后") == "<p>前替代文字后</p>\n"


def test_table_renders_without_alignment_styles():
    body_html = html_of("| 城市 | 气温 |\n|:--|--:|\n| 北京 | 25 |")
    assert body_html == (
        "<table>\n<thead>\n<tr>\n<th>城市</th>\n<th>气温</th>\n</tr>\n</thead>\n"
        "<tbody>\n<tr>\n<td>北京</td>\n<td>25</td>\n</tr>\n</tbody>\n</table>\n"
    )


def test_code_blocks_are_escaped():
    body_html = html_of('```html\n<script>alert("x")</script>\n```\n\n    <b>缩进</b>')
    assert body_html == (
        '<pre><code>&lt;script&gt;alert("x")&lt;/script&gt;\n</code></pre>\n'
        "<pre><code>&lt;b&gt;缩进&lt;/b&gt;\n</code></pre>\n"
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<b>粗</b>", "<p>&lt;b&gt;粗&lt;/b&gt;</p>\n"),
        (
            '<img src="x" onerror="alert(1)">',
            '<p>&lt;img src="x" onerror="alert(1)"&gt;</p>\n',
        ),
        ("<div>\n块\n</div>", "<p>&lt;div&gt;\n块\n&lt;/div&gt;</p>\n"),
        ("<!-- 注释 -->", "<p>&lt;!-- 注释 --&gt;</p>\n"),
    ],
)
def test_raw_html_is_shown_as_text(source, expected):
    assert html_of(source) == expected


def test_plain_text_has_one_line_per_block():
    _, text = markdown_render(
        "## 标题\n\n第一段**加粗**，[链接](https://example.com)。\n\n- 甲\n- 乙\n\n"
        "![图](/media/a.png)\n\n`a < b` 与 &amp;"
    )
    assert text == "标题\n第一段加粗，链接。\n甲\n乙\na < b 与 &"


def test_render_keeps_chinese_text_intact():
    source = "“资讯”：今天北京２５℃——晴！《新闻》【快讯】……"
    assert markdown_render(source) == (f"<p>{source}</p>\n", source)


def test_images_without_alt_lists_each_src_in_order():
    source = (
        "![有](/media/1.png)\n\n![](/media/2.png) ![ ](https://cdn.example.com/3.png)\n\n"
        "[![](/media/4.png)](https://example.com) ![　](/media/全角空格.png)"
    )
    assert markdown_images_without_alt(source) == [
        "/media/2.png",
        "https://cdn.example.com/3.png",
        "/media/4.png",
        "/media/全角空格.png",
    ]


def test_images_without_alt_ignores_text_that_only_looks_like_images():
    source = "`![](/media/a.png)`\n\n    ![](/media/b.png)\n\n\\![](/media/c.png)"
    assert markdown_images_without_alt(source) == []


def test_validate_names_the_first_image_without_alt():
    source = "![封面](/media/1.png)\n\n正文\n\n![](/media/2.png)\n\n![](/media/3.png)"
    with pytest.raises(MarkdownError) as error:
        markdown_validate(source)
    assert str(error.value) == message_format(IMAGE_ALT_MISSING, src="/media/2.png")


def test_validate_accepts_images_with_alt():
    markdown_validate("正文\n\n![封面](/media/1.png) ![图二](https://cdn.example.com/2.png)")


def test_validate_refuses_a_body_that_is_too_long():
    markdown_validate("字" * BODY_MAX_CHARS)
    with pytest.raises(MarkdownError, match=exactly(MARKDOWN_TOO_LONG, limit=100_000)):
        markdown_validate("字" * (BODY_MAX_CHARS + 1))


@pytest.mark.parametrize("source", ["", "   ", "\n\n\t", "\u3000"])
def test_validate_refuses_an_empty_body(source):
    with pytest.raises(MarkdownError, match=exactly(EMPTY_BODY)):
        markdown_validate(source)


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("zh-hans", "正文不能超过 100000 个字符"),
        ("en", "The body may be at most 100000 characters"),
    ],
)
def test_a_markdown_error_is_shown_in_the_readers_language(language, shown):
    # given: the error is raised in one language
    with override("zh-hans" if language == "en" else "en"), pytest.raises(MarkdownError) as caught:
        markdown_validate("字" * (BODY_MAX_CHARS + 1))
    # then: it is worded in the language active where it is shown
    with override(language):
        assert str(caught.value) == shown
