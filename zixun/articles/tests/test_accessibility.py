"""无障碍检查 of a Markdown body: alt text, heading levels, link text. Pure, no database."""

import pytest
from django.utils.translation import override

from zixun.articles.accessibility import (
    ALT_MAX_CHARS,
    HEADING_EMPTY,
    HEADING_FIRST_TOO_DEEP,
    HEADING_SKIPPED,
    IMAGE_ALT_FILE_NAME,
    IMAGE_ALT_GENERIC,
    IMAGE_ALT_MISSING,
    IMAGE_ALT_REPEATED,
    IMAGE_ALT_TOO_LONG,
    LINK_BARE_URL,
    LINK_EMPTY,
    LINK_VAGUE,
    accessibility_issues,
)
from zixun.articles.markdown import IMAGE_ALT_MISSING as REQUIRED_ALT
from zixun.articles.markdown import MarkdownError, markdown_validate
from zixun.core.errors import message_format

CLEAN = """晨江地铁5号线今天开通运营，江北到临湖的通勤缩短近半小时。

## 线路与站点

全线共 18 座车站，其中 6 座为换乘站。

![晨江地铁5号线线路图，标出 18 座车站](/media/images/line5-map.png)

### 换乘

在[晨江地铁官网的换乘指南](https://metro.example.com/transfer)里可以查到每座换乘站的步行时间。

![早高峰时江北站站台上排队的乘客](https://img.example.com/platform.jpg)

## 票价

起步价 2 元。"""


def codes(source):
    return [issue.code for issue in accessibility_issues(source)]


def only(source):
    issues = accessibility_issues(source)
    assert len(issues) == 1, issues
    return issues[0]


def test_a_clean_chinese_body_has_no_issues():
    assert accessibility_issues(CLEAN) == []


@pytest.mark.parametrize(
    "source",
    ["", "只有一段文字，没有图片、小标题和链接。", "## 小标题\n\n正文\n\n## 另一个\n\n正文"],
)
def test_bodies_without_problems_have_no_issues(source):
    assert accessibility_issues(source) == []


def test_an_image_without_alt_is_named_by_its_file_name():
    issue = only("正文\n\n![](https://img.example.com/photos/%E6%B1%9F%E8%BE%B9.jpg)")
    assert issue.code == "image-alt-missing"
    assert issue.where == "江边.jpg"
    assert issue.message == message_format(IMAGE_ALT_MISSING, number=1, where="江边.jpg")


def test_an_image_without_alt_is_still_refused_at_submit():
    """The check warns while writing; publishing keeps its own rule."""
    source = "![ ](/media/images/a.png)"
    assert codes(source) == ["image-alt-missing"]
    with pytest.raises(MarkdownError) as caught:
        markdown_validate(source)
    assert caught.value.message == REQUIRED_ALT


@pytest.mark.parametrize(
    "alt",
    ["图片", "图像", "照片", "配图", "插图", "截图", "image", "IMG", "Photo", "picture",
     "图片1", "图 2", "【配图】", "Image 3", "ｉｍａｇｅ"],
)  # fmt: skip
def test_a_generic_alt_says_nothing(alt):
    issue = only(f"![{alt}](/media/images/x.png)")
    assert issue.code == "image-alt-generic"
    assert issue.where == "x.png"
    assert issue.message == message_format(IMAGE_ALT_GENERIC, number=1, where="x.png", alt=alt)


@pytest.mark.parametrize(
    "alt",
    ["IMG_1234", "IMG_20240301_081502", "DSC0001", "DSCN4821", "photo.jpg", "江边.PNG",
     "微信图片_20240301081502", "Screenshot 2024-03-01", "9f86d081884c7d659a2feaa0c55ad015",
     "3fa85f64-5717-4562-b3fc-2c963f66afa6"],
)  # fmt: skip
def test_a_file_name_or_a_hash_is_not_alt_text(alt):
    issue = only(f"![{alt}](/media/images/x.png)")
    assert issue.code == "image-alt-file-name"
    assert issue.message == message_format(IMAGE_ALT_FILE_NAME, number=1, where="x.png", alt=alt)


@pytest.mark.parametrize("alt", ["1", "2024", "2024-03-01", "3.14"])
def test_only_digits_is_not_alt_text(alt):
    assert only(f"![{alt}](/media/images/x.png)").code == "image-alt-digits"


@pytest.mark.parametrize(
    "alt",
    ["江边晨练的人群", "图片中的晨江大桥", "A photo of the river at dawn", "2024年3月1日的晨江大桥",
     "IMG 展厅入口"],
)  # fmt: skip
def test_describing_alts_are_fine(alt):
    assert accessibility_issues(f"![{alt}](/media/images/x.png)") == []


def test_an_alt_over_the_limit_wants_a_caption():
    alt = "江" * (ALT_MAX_CHARS + 1)
    issue = only(f"![{alt}](/media/images/long.png)")
    assert issue.code == "image-alt-too-long"
    assert issue.message == message_format(
        IMAGE_ALT_TOO_LONG,
        number=1,
        where="long.png",
        length=ALT_MAX_CHARS + 1,
        limit=ALT_MAX_CHARS,
    )
    assert accessibility_issues(f"![{alt[:-1]}](/media/images/long.png)") == []


def test_the_same_alt_on_several_images_is_one_issue():
    source = (
        "![江边的早晨](/media/a.png)\n\n![江边的早晨](/media/b.png)\n\n"
        "![江边的 早晨](/media/c.png)\n\n![江边的傍晚](/media/d.png)"
    )
    issue = only(source)
    assert issue.code == "image-alt-repeated"
    assert issue.where == "江边的早晨"
    assert issue.message == message_format(IMAGE_ALT_REPEATED, where="江边的早晨", count=2)


def test_a_repeated_generic_alt_is_reported_once_per_image_not_again_as_repeated():
    issues = accessibility_issues(
        "![图片](/media/a.png) ![好图](/media/b.png) ![图片](/media/c.png)"
    )
    assert [(issue.code, issue.where) for issue in issues] == [
        ("image-alt-generic", "a.png"),
        ("image-alt-generic", "c.png"),
    ]
    # images are counted in the body's order, so the writer can find the third one
    assert issues[1].message == message_format(
        IMAGE_ALT_GENERIC, number=3, where="c.png", alt="图片"
    )


def test_an_image_with_a_refused_address_is_text_not_an_image():
    """The renderer shows such an image's alt as text; readers get no image to describe."""
    assert accessibility_issues("![图片](javascript:alert(1))") == []


def test_the_first_heading_is_h2_because_the_title_is_h1():
    issue = only("正文\n\n### 换乘\n\n正文")
    assert issue.code == "heading-first-too-deep"
    assert issue.message == message_format(HEADING_FIRST_TOO_DEEP, where="换乘", level="###")
    # "#" is rendered as h2 (the page has one h1), so it starts the body correctly
    assert accessibility_issues("# 线路\n\n### 换乘") == []


def test_a_skipped_level_names_the_heading_and_the_level_to_use():
    issue = only("## 线路\n\n#### 换乘站\n\n## 票价\n\n### 优惠")
    assert issue.code == "heading-skipped"
    assert issue.where == "换乘站"
    assert issue.message == message_format(
        HEADING_SKIPPED, where="换乘站", before="##", level="####", expected="###"
    )


def test_going_back_up_any_number_of_levels_is_fine():
    assert accessibility_issues("## 一\n\n### 二\n\n#### 三\n\n## 四") == []


def test_an_empty_heading_is_counted_from_one():
    issue = only("## 线路\n\n##\n\n正文")
    assert issue.code == "heading-empty"
    assert issue.message == message_format(HEADING_EMPTY, where="2")


@pytest.mark.parametrize(
    "text", ["点击这里", "这里", "链接", "点此", "click here", "Click Here!", "here", "更多"]
)
def test_link_text_that_says_nothing(text):
    issue = only(f"详见[{text}](https://metro.example.com/)。")
    assert issue.code == "link-vague"
    assert issue.message == message_format(LINK_VAGUE, where=text)


@pytest.mark.parametrize(
    ("source", "where"),
    [
        ("<https://metro.example.com/站点>", "https://metro.example.com/站点"),
        ("[https://metro.example.com](https://metro.example.com)", "https://metro.example.com"),
        ("[www.example.com](https://www.example.com)", "www.example.com"),
    ],
)
def test_a_bare_address_as_link_text(source, where):
    issue = only(f"官网：{source}")
    assert issue.code == "link-bare-url"
    assert issue.message == message_format(LINK_BARE_URL, where=where)


def test_a_link_without_text():
    issue = only("[](https://metro.example.com/)")
    assert issue.code == "link-empty"
    assert issue.message == message_format(LINK_EMPTY, where="https://metro.example.com/")


def test_a_linked_image_is_named_by_its_alt():
    assert (
        accessibility_issues("[![晨江地铁线路图](/media/map.png)](https://metro.example.com/)")
        == []
    )


def test_issues_come_images_then_headings_then_links_in_order():
    source = (
        "### 开头\n\n![图片](/media/a.png)\n\n[这里](https://a.example.com/)\n\n## 二\n\n#### 四"
    )
    assert codes(source) == [
        "image-alt-generic",
        "heading-first-too-deep",
        "heading-skipped",
        "link-vague",
    ]


def test_long_places_are_cut_in_messages():
    text = "很长的小标题" * 20
    issue = only(f"## 一\n\n#### {text}")
    assert len(issue.where) == 40
    assert issue.where.endswith("…")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_messages_are_in_the_active_language(language):
    issue = only("![图片](/media/images/x.png)")
    with override(language):
        assert issue.message == message_format(
            IMAGE_ALT_GENERIC, number=1, where="x.png", alt="图片"
        )
    with override("en"):
        assert "x.png" in issue.message
        assert "图片里有什么" not in issue.message
