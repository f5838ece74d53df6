"""The XSS corpus (issue #16): payloads generated from families, and the DOM rules a page
must pass once they are stored and shown.

Every payload, if it ever runs, calls one of the markers (``alert``, ``confirm``,
``prompt``, ``console.log`` of "XSS", or sets ``window.__xss``), so a browser hook sees it.
The families are written from the OWASP XSS Filter Evasion Cheat Sheet, html5sec.org,
PortSwigger's XSS cheat sheet and the published mutation-XSS research (DOMPurify
bypasses); ``legacy`` is the 166-line corpus of ``zixun/articles/tests/xss_payloads.txt``.

No ORM and no Django here: ``bench/xss.py`` and both test modules import it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LEGACY_FILE = ROOT / "zixun" / "articles" / "tests" / "xss_payloads.txt"
LEGACY_PLACEHOLDERS = {"{NUL}": "\x00", "{TAB}": "\t", "{LF}": "\n", "{CR}": "\r", "{FF}": "\f"}

# What a payload calls when it runs; the browser's init script records each of them.
MARKERS = ("alert(1)", "confirm(1)", "prompt(1)", "window.__xss=1", "console.log(/XSS/.source)")
MARKER_WORDS = ("alert", "confirm", "prompt", "__xss", "XSS")


@dataclass(frozen=True)
class Payload:
    family: str
    text: str
    number: int  # position in the corpus, stable for a given corpus version

    @property
    def id(self) -> str:
        return f"{self.family}-{self.number:04d}"


def _marker(index: int) -> str:
    return MARKERS[index % len(MARKERS)]


# Families ------------------------------------------------------------------------------------


def legacy() -> list[str]:
    """The existing corpus, control characters substituted as its loader does."""
    lines = []
    for line in LEGACY_FILE.read_text(encoding="utf-8").split("\n"):
        if not line or line.startswith("# "):
            continue
        for placeholder, char in LEGACY_PLACEHOLDERS.items():
            line = line.replace(placeholder, char)
        lines.append(line)
    return lines


# Elements whose handler fires without a click, with what makes it fire.
_AUTO_HANDLERS = (
    ("img", "src=x ", "onerror"),
    ("image", "src=x ", "onerror"),
    ("video", "src=x ", "onerror"),
    ("audio", "src=x ", "onerror"),
    ("input", "autofocus ", "onfocus"),
    ("textarea", "autofocus ", "onfocus"),
    ("select", "autofocus ", "onfocus"),
    ("details", "open ", "ontoggle"),
    ("body", "", "onload"),
    ("svg", "", "onload"),
    ("iframe", "", "onload"),
    ("object", "data=x ", "onerror"),
    ("style", "", "onload"),
    ("marquee", "", "onstart"),
    ("a", "autofocus tabindex=1 href=#x ", "onfocus"),
    ("div", "style=animation-name:spin ", "onanimationstart"),
    ("xss", "contenteditable autofocus ", "onfocusin"),
    ("frameset", "", "onload"),
)
_SEPARATORS = (" ", "/", "\t", "\n", "\f", "/**/ ")
_QUOTES = ('"{}"', "'{}'", "{}", "`{}`")


def filter_evasion() -> Iterator[str]:
    """Auto-firing handlers with every separator, quoting and casing; script-tag tricks."""
    n = 0
    for tag, prefix, handler in _AUTO_HANDLERS:
        for separator in _SEPARATORS:
            for quote in _QUOTES:
                marker = _marker(n)
                value = quote.format(marker)
                name = tag if n % 3 else tag.upper()
                event = handler if n % 4 else handler.upper()
                attrs = prefix.replace(" ", separator) if prefix else ""
                yield f"<{name}{separator}{attrs}{event}={value}>"
                n += 1
    scripts = [
        "<script>{m}</script>", "<script >{m}</script >", "<script/x>{m}</script>",
        "<SCRIPT>{m}</SCRIPT>", "<ScRiPt>{m}</sCrIpT>", "<script type=text/javascript>{m}</script>",
        "<script type=module>{m}</script>", "<script\t>{m}</script>", "<script\n>{m}</script>",
        "<scr<script>ipt>{m}</scr</script>ipt>", "<<script>{m}//<</script>",
        "<script src=data:,{m}></script>", "<script src=\"data:text/javascript,{m}\"></script>",
        "<script>/*</script><script>*/{m}</script>", "<script>{m}<!--", "<script><!--\n{m}//--></script>",
        "<script language=javascript>{m}</script>", "<script>eval('{m}')</script>",
        "<script>setTimeout('{m}')</script>", "<script>[].constructor.constructor('{m}')()</script>",
        "<script>\\u0061lert(1)</script>", "<script>top['al'+'ert'](1)</script>",
        "<script>window['ale'+'rt'](1)</script>", "<script>(alert)(1)</script>",
        "<script>alert`1`</script>", "<script>onerror=alert;throw 1</script>",
        "<script>{m}</script\x00>", "<script>{m}</script\t\n>", "<script x=\"></script>\">{m}</script>",
        "<img src=x onerror={m} <script>", "<img src=x:x onerror={m}>", "<img src onerror={m}>",
        "<img/src/onerror={m}>", "<img src=\"x\"onerror=\"{m}\">", "<img src='x'onerror='{m}'>",
        "<img src=x onerror=\"&#97;&#108;&#101;&#114;&#116;(1)\">", "<img src=x onerror=&#x61;lert(1)>",
        "<img src=x onerror=eval(atob('YWxlcnQoMSk='))>", "<img src=x onerror=\\u0061lert(1)>",
        "<img src=x oNeRrOr={m}>", "<img src=x onerror\x0b={m}>", "<img src=x onerror ={m}>",
        "<img src=x onerror= {m}>", "<img src=x one\x00rror={m}>", "<img src=x on\nerror={m}>",
        "<body onpageshow={m}>", "<body onfocus={m} autofocus>", "<body onhashchange={m}>",
        "<input onblur={m} autofocus><input autofocus>", "<keygen autofocus onfocus={m}>",
        "<isindex type=image src=1 onerror={m}>", "<video><source onerror={m}>",
        "<audio src onloadstart={m}>", "<video poster=javascript:{m}//></video>",
        "<marquee loop=1 width=0 onfinish={m}>x</marquee>", "<div onpointerover={m}>XSS</div>",
        "<svg><animate onbegin={m} attributeName=x dur=1s>", "<select onfocus={m} autofocus>",
        "<form><button formaction=javascript:{m}>X</button></form>",
        "<form action=javascript:{m}><input type=submit></form>",
        "<isindex action=javascript:{m} type=submit value=click>",
        "<input type=image src=x onerror={m}>", "<embed src=javascript:{m}>",
        "<object data=javascript:{m}></object>", "<iframe src=javascript:{m}></iframe>",
        "<iframe srcdoc=\"&lt;script&gt;{m}&lt;/script&gt;\"></iframe>",
        "<meta http-equiv=refresh content=\"0;url=javascript:{m}\">",
        "<base href=javascript:{m}//><a href=x>x</a>", "<link rel=import href=data:text/html,<script>{m}</script>>",
        "<table background=javascript:{m}>", "<td background=javascript:{m}>",
        "<bgsound src=javascript:{m}>", "<br size=\"&{{{m}}}\">", "<layer src=javascript:{m}></layer>",
        "<xss style=\"behavior:url(x.htc)\" onclick={m}>", "<div style=\"width:expression({m})\">",
        "<style>@import 'javascript:{m}';</style>", "<a href=\"#\" onclick=\"{m}\">X</a>",
        "<x onclick={m}>click", "<a id=x tabindex=1 onfocus={m}></a>",
        "<p onmouseover={m}>", "<span onmouseenter={m}>X</span>", "<h2 oncopy={m}>x</h2>",
    ]  # fmt: skip
    for index, pattern in enumerate(scripts):
        yield pattern.format(m=_marker(index))


def svg() -> Iterator[str]:
    wrappers = (
        "<svg>{}</svg>", "<svg xmlns=\"http://www.w3.org/2000/svg\">{}</svg>",
        "<svg><g>{}</g></svg>", "<SVG>{}</SVG>",
    )  # fmt: skip
    inner = (
        "<script>{m}</script>", "<script href=data:,{m} />", "<script xlink:href=data:,{m}></script>",
        "<animate onbegin={m} attributeName=x dur=1s />",
        "<set attributeName=onmouseover to={m} />",
        "<a xlink:href=\"javascript:{m}\"><text x=20 y=20>XSS</text></a>",
        "<a href=\"javascript:{m}\"><text x=20 y=20>XSS</text></a>",
        "<a><animate attributeName=href values=javascript:{m} /><text x=20 y=20>XSS</text></a>",
        "<a><set attributeName=href to=javascript:{m} /><text x=20 y=20>XSS</text></a>",
        "<foreignObject><img src=x onerror={m}></foreignObject>",
        "<foreignObject><iframe srcdoc=\"&lt;script&gt;{m}&lt;/script&gt;\"></iframe></foreignObject>",
        "<image href=x onerror={m} />", "<image xlink:href=x onerror={m} />",
        "<use href=\"data:image/svg+xml,&lt;svg id='x' xmlns='http://www.w3.org/2000/svg'&gt;&lt;image href='x' onerror='{m}'/&gt;&lt;/svg&gt;#x\" />",
        "<style><img src=x onerror={m}></style>", "<title><img src=x onerror={m}></title>",
        "<desc><img src=x onerror={m}></desc>", "<![CDATA[><img src=x onerror={m}>]]>",
        "<discard onbegin={m} />", "<handler xmlns:ev=\"http://www.w3.org/2001/xml-events\" ev:event=\"load\">{m}</handler>",
        "<feImage xlink:href=\"data:text/html,<script>{m}</script>\" />",
        "<iframe src=javascript:{m}></iframe>", "<p><img src=x onerror={m}></p>",
    )  # fmt: skip
    n = 0
    for wrapper in wrappers:
        for pattern in inner:
            yield wrapper.format(pattern.format(m=_marker(n)))
            n += 1
    singles = (
        "<svg onload={m}>", "<svg/onload={m}>", "<svg\tonload={m}>", "<svg onload={m}//",
        "<svg><svg onload={m}>", "<svg id=x onload={m}></svg>", "<svg><circle r=40 onclick={m} />",
        "<svg width=100 height=100 onmouseover={m}>", "<svg><animatetransform onbegin={m}>",
        "<svg><script>&#97;lert(1)</script>", "<svg><script>&#x61;lert(1)</script>",
        "<svg><script>alert&#40;1&#41;</script>", "<svg></p><style><a id=\"</style><img src=1 onerror={m}>\">",
        "<svg><style>{{font-family:'<iframe/onload={m}>'}}</style>", "<svg><!--<svg/onload={m}>-->",
        "<svg><textarea><img src=x onerror={m}></textarea>", "<svg><noscript><img src=x onerror={m}></noscript>",
    )  # fmt: skip
    for index, pattern in enumerate(singles):
        yield pattern.format(m=_marker(index))


def mathml() -> Iterator[str]:
    patterns = (
        "<math><mtext><table><mglyph><style><img src=x onerror={m}>",
        "<math><mtext><table><mglyph><style><!--</style><img title=\"--&gt;&lt;img src=1 onerror={m}&gt;\">",
        "<math><mi xlink:href=\"javascript:{m}\">XSS</mi></math>",
        "<math href=\"javascript:{m}\">XSS</math>", "<math><a xlink:href=\"javascript:{m}\">XSS</a></math>",
        "<math><maction actiontype=statusline xlink:href=javascript:{m}>XSS<mtext>x</mtext></maction></math>",
        "<math><maction actiontype=toggle onclick={m}><mi>X</mi></maction></math>",
        "<math><annotation-xml encoding=\"text/html\"><img src=x onerror={m}></annotation-xml></math>",
        "<math><annotation-xml encoding=\"application/xhtml+xml\"><svg onload={m}></annotation-xml></math>",
        "<math><semantics><annotation-xml encoding=\"text/html\"><style><img src=x onerror={m}></style></annotation-xml></semantics></math>",
        "<math><mtext><img src=x onerror={m}></mtext></math>", "<math><mi><img src=x onerror={m}></mi></math>",
        "<math><mo><svg onload={m}></mo></math>", "<math><ms><script>{m}</script></ms></math>",
        "<math><style><img src=x onerror={m}></style></math>", "<math><title><img src=x onerror={m}></title></math>",
        "<math><mtext><textarea><img src=x onerror={m}></textarea></mtext></math>",
        "<math><mtext><noscript><img src=x onerror={m}></noscript></mtext></math>",
        "<math><mtext><xmp><img src=x onerror={m}></xmp></mtext></math>",
        "<math><mtext><h1><a><mglyph><svg><mtext><style><a title=\"</style><img src onerror={m}>\"></style></h1>",
        "<math><mtext><option><FAKEFAKE><option></option><mglyph><svg><mtext><style><a title=\"</style><img src='#' onerror={m}>\">",
        "<form><math><mtext></form><form><mglyph><style></math><img src onerror={m}>",
        "<math><mtext><table><mglyph><svg><mtext><style><path id=\"</style><img onerror={m} src>\">",
        "<math><![CDATA[</math><img src=x onerror={m}>]]></math>", "<math><!--</math><img src=x onerror={m}>--></math>",
        "<MATH><MTEXT><IMG SRC=X ONERROR={m}></MTEXT></MATH>", "<math><malignmark><style><img src=x onerror={m}>",
        "<math><mglyph><img src=x onerror={m}></mglyph></math>", "<math><mn><iframe src=javascript:{m}></iframe></mn></math>",
        "<math><mtext><a href=javascript:{m}>XSS</a></mtext></math>", "<math xlink:href=javascript:{m}><mi>x</mi></math>",
    )  # fmt: skip
    for index, pattern in enumerate(patterns):
        yield pattern.format(m=_marker(index))
        # The same with the math element named in upper case and closed at once.
        yield pattern.replace("<math", "<MaTh").format(m=_marker(index + 1)) + "</math>"


_MARKDOWN_URLS = (
    "javascript:{m}", "JavaScript:{m}", "JAVASCRIPT:{m}", "javascript&#58;{m}", "javascript&colon;{m}",
    "java&#115;cript:{m}", "jav%61script:{m}", "javascript%3A{m}", "java\\script:{m}",
    "  javascript:{m}", "\\x6Aavascript:{m}", "vbscript:msgbox(1)", "VBScript:{m}",
    "data:text/html,<script>{m}</script>", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>{m}</script>", "data:image/svg+xml,<svg onload={m}>",
    "javascript://%0a{m}", "javascript://example.com/%0A{m}", "jav&#x09;ascript:{m}",
    "//evil.example/x.png", "/media/../../x?javascript:{m}", "ｊａｖａｓｃｒｉｐｔ：{m}",
)  # fmt: skip
_MARKDOWN_FORMS = (
    "[XSS]({u})", "![XSS]({u})", "[XSS](<{u}>)", "![XSS](<{u}>)", "<{u}>", "[XSS]({u} \"t\")",
    "[XSS][r{n}]\n\n[r{n}]: {u}", "![XSS][i{n}]\n\n[i{n}]: {u}",
)  # fmt: skip


def markdown() -> Iterator[str]:
    """Markdown links and images to every dangerous URL, and HTML hidden in Markdown."""
    n = 0
    for url in _MARKDOWN_URLS:
        for form in _MARKDOWN_FORMS:
            yield form.format(u=url.format(m=_marker(n)), n=n)
            n += 1
    patterns = (
        "![XSS\" onerror=\"{m}](https://img.example/x.png)", "![XSS](https://img.example/x.png\"onerror=\"{m})",
        "[XSS](https://a.example/\" onmouseover=\"{m})", "[XSS](https://a.example/' onmouseover='{m})",
        "[<img src=x onerror={m}>](https://a.example/)", "![<img src=x onerror={m}>](https://img.example/x.png)",
        "[XSS](https://a.example/ \"title\\\" onmouseover=\\\"{m}\")", "`<img src=x onerror={m}>`",
        "```html\n<script>{m}</script>\n```", "    <script>{m}</script>", "> <img src=x onerror={m}>",
        "# <svg onload={m}>", "* <details open ontoggle={m}>", "| a | <img src=x onerror={m}> |\n|---|---|\n| <svg onload={m}> | b |",
        "~~<script>{m}</script>~~", "**<img src=x onerror={m}>**", "<!-- --><img src=x onerror={m}>",
        "[XSS]: javascript:{m}\n\n[XSS]", "![![XSS](javascript:{m})](https://img.example/x.png)",
        "[![XSS](https://img.example/x.png)](javascript:{m})", "[XSS](javascript:{m}#https://a.example/)",
        "[XSS](&#106;avascript:{m})", "[XSS](\\javascript:{m})", "[XSS](javascript\t:{m})",
        "<https://a.example/\"onmouseover=\"{m}>", "<a href=\"javascript:{m}\">XSS</a>",
        "[XSS](https://a.example/)<img src=x onerror={m}>", "_<svg/onload={m}>_",
        "[XSS](data:text/html;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)", "![XSS](/media/x.png\" onerror=\"{m})",
        "![XSS](/media/%22%20onerror=%22{m})", "[XSS](mailto:x@y.example\"onmouseover=\"{m})",
    )  # fmt: skip
    for index, pattern in enumerate(patterns):
        yield pattern.format(m=_marker(index))


# Casings and encodings of a scheme name, each a function of the word "javascript" etc.
def _casings(word: str) -> list[str]:
    return [
        word, word.upper(), word.capitalize(),
        "".join(c.upper() if i % 2 else c for i, c in enumerate(word)),
        "".join(c.upper() if i % 3 == 1 else c for i, c in enumerate(word)),
    ]  # fmt: skip


def _encodings(scheme: str) -> dict[str, str]:
    """The scheme plus its colon in the forms a browser or a lax decoder turns back into it."""
    first, rest = scheme[0], scheme[1:]
    middle = len(scheme) // 2
    return {
        "plain": f"{scheme}:",
        "dec": "".join(f"&#{ord(c)};" for c in scheme) + "&#58;",
        "dec0": "".join(f"&#{ord(c):07d}" for c in scheme) + "&#0000058",
        "hex": "".join(f"&#x{ord(c):x};" for c in scheme) + "&#x3a;",
        "hexnosemi": "".join(f"&#x{ord(c):X}" for c in scheme) + "&#x3A",
        "one-entity": f"&#{ord(first)};{rest}:",
        "colon-named": f"{scheme}&colon;",
        "tab": f"{scheme[:middle]}\t{scheme[middle:]}:",
        "tab-entity": f"{scheme[:middle]}&#x09;{scheme[middle:]}:",
        "tab-named": f"{scheme[:middle]}&Tab;{scheme[middle:]}:",
        "newline": f"{scheme[:middle]}\n{scheme[middle:]}:",
        "newline-entity": f"{scheme[:middle]}&#10;{scheme[middle:]}:",
        "newline-named": f"{scheme[:middle]}&NewLine;{scheme[middle:]}:",
        "cr": f"{scheme[:middle]}\r{scheme[middle:]}:",
        "lead-space": f" \x01 {scheme}:",
        "lead-entity": f"&#14; {scheme}:",
        "nul": f"{scheme[:middle]}\x00{scheme[middle:]}:",
        "percent": "".join(f"%{ord(c):02x}" for c in scheme) + "%3a",
        "percent-colon": f"{scheme}%3A",
        "unicode-escape": "".join(f"\\u{ord(c):04x}" for c in scheme) + ":",
        "fullwidth": "".join(chr(ord(c) + 0xFEE0) for c in scheme) + "：",
    }


_SCHEME_BODIES = {
    "javascript": "{m}",
    "vbscript": "msgbox(1)",
    "data": "text/html,<script>{m}</script>",
}
_URL_CONTEXTS = (
    "<a href=\"{u}\">XSS</a>", "<img src=\"{u}\">", "<a href={u}>XSS</a>",
    "<iframe src=\"{u}\"></iframe>", "<form action=\"{u}\"><button>XSS</button></form>",
    "<svg><a xlink:href=\"{u}\"><text y=20>XSS</text></a></svg>",
)  # fmt: skip


def url_schemes() -> Iterator[str]:
    """javascript:, vbscript: and data: in every casing and encoding, in the URL attributes."""
    n = 0
    for scheme, body in _SCHEME_BODIES.items():
        for cased in _casings(scheme):
            for name, prefix in _encodings(cased).items():
                url = prefix + body.format(m=_marker(n))
                context = _URL_CONTEXTS[n % len(_URL_CONTEXTS)]
                if " " in url or "\t" in url or "\n" in url:
                    context = context.replace("={u}>", '="{u}">')
                yield context.format(u=url)
                n += 1
                if name in {"plain", "dec", "tab-entity", "colon-named"}:
                    # The bare URL too: a field shown as a link (a source or share URL).
                    yield url
    extras = (
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">XSS</a>",
        "<a href=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">XSS</a>",
        "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\"></object>",
        "<embed src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
        "<a href=\"javascript&#x3A;{m}\">XSS</a>", "<a href=\"javascript&#0058;{m}\">XSS</a>",
        "<a href=\"&#x6a;avascript&#x3a;{m}\">XSS</a>", "<a href=\"jav&#97;script:{m}\">XSS</a>",
        "<a href=\"javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+{m}//'>\">XSS</a>",
        "<a href=\"javascript:void(0)\" onclick=\"{m}\">XSS</a>", "<a href=\"livescript:{m}\">XSS</a>",
        "<a href=\"mocha:{m}\">XSS</a>", "<a href=\"javascript\\u003a{m}\">XSS</a>",
        "<a href=\"%6Aavascript:{m}\">XSS</a>", "<a href=\"javascript:%61lert(1)\">XSS</a>",
        "<a href=\"javascript:\\u0061lert(1)\">XSS</a>", "<a href=\"j&#x0D;avascript:{m}\">XSS</a>",
        "<a href=\"ja&#x0A;vascript&colon;{m}\">XSS</a>", "<a href=\"&#x20;javascript:{m}\">XSS</a>",
        "<a href=\"\x0bjavascript:{m}\">XSS</a>", "<a href=\"\x1fjavascript:{m}\">XSS</a>",
    )  # fmt: skip
    for index, pattern in enumerate(extras):
        yield pattern.format(m=_marker(index))


def breakout() -> Iterator[str]:
    """Out of an attribute, a Django template, a JS string, JSON-LD or a style block."""
    lead = (
        "\"", "'", "\">", "'>", "\"/>", "`", "\" ", "' ", "\"\t", "\">\n", "</title>", "</textarea>",
        "</script>", "</style>", "-->", "]]>", "</noscript>", "</template>", "</option></select>",
        "\"}", "'}", "\"});", "';", "\";", "\\\";", "\\';", "}}", "%}", "*/",
    )  # fmt: skip
    tails = (
        "<img src=x onerror={m}>", "<script>{m}</script>", " onmouseover={m} x=", " autofocus onfocus={m} x=",
        "<svg/onload={m}>",
    )  # fmt: skip
    n = 0
    for start in lead:
        for tail in tails:
            yield start + tail.format(m=_marker(n))
            n += 1
    specials = (
        "{{{{ {m} }}}}", "{{% debug %}}", "{{{{ request }}}}", "{{{{ settings.SECRET_KEY }}}}",
        "{{% load static %}}<script>{m}</script>", "{{{{ '<script>{m}</script>'|safe }}}}",
        "{{% autoescape off %}}<img src=x onerror={m}>{{% endautoescape %}}",
        "{{{{7*7}}}}<img src=x onerror={m}>", "${{{m}}}", "#{{{m}}}", "<%= {m} %>",
        "';{m};//", "\";{m};//", "'-{m}-'", "\"-{m}-\"", "\\';{m};//", "`;{m};//", "${{{m}}}`",
        "\u2028{m}//", "\u2029{m}//", "</script><script>{m}</script>", "</SCRIPT ><script>{m}</script>",
        "</script\t><script>{m}</script>", "<!--<script>{m}//", "\"}}</script><script>{m}</script>",
        "\"}},\"x\":\"</script><img src=x onerror={m}>", "<\\/script><script>{m}</script>",
        "\\u003c/script\\u003e<script>{m}</script>", "</script><svg onload={m}>",
        "\"onmouseover=\"{m}", "'onmouseover='{m}", "\" style=\"animation-name:spin\" onanimationstart=\"{m}",
        "javascript:{m}//\" onmouseover=\"{m}", "\" href=\"javascript:{m}", "' href='javascript:{m}",
        "\"><a href=\"javascript:{m}\">XSS</a>", "&quot; onmouseover=&quot;{m}", "&#34; onmouseover=&#34;{m}",
        "&lt;img src=x onerror={m}&gt;", "&amp;lt;script&amp;gt;{m}&amp;lt;/script&amp;gt;",
        "%3Cscript%3E{m}%3C/script%3E", "%253Cscript%253E{m}%253C/script%253E", "\\x3cscript\\x3e{m}\\x3c/script\\x3e",
        "\\u003cimg src=x onerror={m}\\u003e", "+ADw-script+AD4-{m}+ADw-/script+AD4-",
        "\x00<script>{m}</script>", "<scr\x00ipt>{m}</scr\x00ipt>",
        "</title><meta http-equiv=refresh content=\"0;url=javascript:{m}\">",
        "\"><iframe srcdoc=\"<script>{m}</script>\">", "?q=\"><script>{m}</script>",
        "#\"><img src=x onerror={m}>", "&next=javascript:{m}", "next=//evil.example/%2F..",
    )  # fmt: skip
    for index, pattern in enumerate(specials):
        yield pattern.format(m=_marker(index))


def cjk_fullwidth() -> Iterator[str]:
    """Full-width and CJK look-alikes of < > " ' : and of the words, alone and mixed."""
    brackets = (
        ("＜", "＞"),
        ("﹤", "﹥"),
        ("〈", "〉"),
        ("《", "》"),
        ("‹", "›"),
        ("＜", ">"),
        ("<", "＞"),
    )
    words = ("script", "ｓｃｒｉｐｔ", "SCRIPT", "ｓcript")
    n = 0
    for left, right in brackets:
        for word in words:
            yield f"{left}{word}{right}{_marker(n)}{left}/{word}{right}"
            yield f"{left}img src=x onerror={_marker(n)}{right}"
            n += 1
    specials = (
        "ｊａｖａｓｃｒｉｐｔ：{m}", "ＪＡＶＡＳＣＲＩＰＴ：{m}", "javascript：{m}", "ｊａｖａｓｃｒｉｐｔ:{m}",
        "ｖｂｓｃｒｉｐｔ：msgbox(1)", "ｄａｔａ：text/html,<script>{m}</script>",
        "<a href=\"ｊａｖａｓｃｒｉｐｔ：{m}\">XSS</a>", "<a href=\"javascript：{m}\">XSS</a>",
        "<img src=\"ｊａｖａｓｃｒｉｐｔ：{m}\">", "[XSS](ｊａｖａｓｃｒｉｐｔ：{m})", "![XSS](ｊａｖａｓｃｒｉｐｔ：{m})",
        "＜ｉｍｇ　ｓｒｃ＝ｘ　ｏｎｅｒｒｏｒ＝{m}＞", "<img　src=x　onerror={m}>", "<img src=x onerror＝{m}>",
        "＂ onmouseover=＂{m}", "＇ onmouseover=＇{m}", "＂＞＜script＞{m}＜/script＞",
        "<ｓｃｒｉｐｔ>{m}</ｓｃｒｉｐｔ>", "<script>ａｌｅｒｔ（１）</script>", "＜svg onload＝{m}＞",
        "文章标题<script>{m}</script>", "跟贴：<img src=x onerror={m}>", "《新闻》<svg/onload={m}>",
        "【快讯】\"><script>{m}</script>", "“引号”' onmouseover='{m}", "简介</textarea><script>{m}</script>",
        "标签<svg onload={m}>", "＜!--＞<img src=x onerror={m}>", "\u3000<script>{m}</script>",
        "\ufeff<script>{m}</script>", "\u200b<script>{m}</script>", "<scr\u200bipt>{m}</scr\u200bipt>",
        "java\u200bscript:{m}", "<a href=\"java\u200bscript:{m}\">XSS</a>", "<a href=\"\u3000javascript:{m}\">XSS</a>",
        "<a href=\"\ufeffjavascript:{m}\">XSS</a>", "\u202e>tpircs/<{m}>tpircs<", "ʺ onmouseover=ʺ{m}",
        "\u2039script\u203a{m}\u2039/script\u203a", "\uff1cimg src=x onerror=\uff02{m}\uff02\uff1e",
        "\uFE64script\uFE65{m}\uFE64/script\uFE65", "<\u0131mg src=x onerror={m}>", "<ſcript>{m}</ſcript>",
        "\u212aSS<script>{m}</script>",
    )  # fmt: skip
    for index, pattern in enumerate(specials):
        yield pattern.format(m=_marker(index))


def mutation() -> Iterator[str]:
    """Markup that a serializer and a second parse read differently (mXSS)."""
    containers = (
        "noscript", "style", "template", "xmp", "noembed", "noframes", "iframe", "textarea", "title",
        "plaintext", "listing", "select", "table", "object", "svg", "math",
    )  # fmt: skip
    n = 0
    for tag in containers:
        yield f'<{tag}><p title="</{tag}><img src=x onerror={_marker(n)}>">'
        yield f"<{tag}><img src=x onerror={_marker(n + 1)}></{tag}>"
        yield f'<{tag}><a title="</{tag}><svg onload={_marker(n + 2)}>">x</a></{tag}>'
        n += 3
    patterns = (
        "<noscript><p title=\"</noscript><img src=x onerror={m}>\">",
        "<svg></p><style><a id=\"</style><img src=1 onerror={m}>\">",
        "<svg><p><style><a id=\"</style><img src=1 onerror={m}>\">", "<svg><style><img src=x onerror={m}></style>",
        "<template><script>{m}</script></template>", "<template><img src=x onerror={m}></template>",
        "<!--><img src=x onerror={m}>-->", "<!---><img src=x onerror={m}>-->", "<!--!><img src=x onerror={m}>-->",
        "<!-- --!><img src=x onerror={m}>-->", "<?xml version=\"1.0\"?><img src=x onerror={m}>",
        "<? foo=\"><img src=x onerror={m}>\">", "<![CDATA[><img src=x onerror={m}>]]>",
        "</p/><img src=x onerror={m}>", "<p title=\"</p><img src=x onerror={m}>\">",
        "<a title=\"&lt;img src=x onerror={m}&gt;\">x</a>", "<img alt=\"<x\" title=\"/><img src=x onerror={m}>\">",
        "<a href=\"https://a.example/\" title=\"`\"><img src=x onerror={m}>", "<img src=`x`onerror={m}>",
        "<listing>&lt;img src=x onerror={m}&gt;</listing>", "<xmp><p title=\"</xmp><img src=x onerror={m}>\">",
        "<div id=\"1\"><form id=\"test\"></form><button form=\"test\" formaction=\"javascript:{m}\">X</button>",
        "<form><math><mtext></form><form><mglyph><style></math><img src onerror={m}>",
        "<table><td><style><img src=x onerror={m}></style></td></table>",
        "<select><template><style><img src=x onerror={m}></style></template></select>",
        "<select><iframe><img src=x onerror={m}></iframe></select>",
        "<table><tr><td><svg><desc><table><td><img src=x onerror={m}></td></table></desc></svg></td></tr></table>",
        "<a href=\"&#x6A;avascript:{m}\" title=\"</a><img src=x onerror={m}>\">x</a>",
        "<img src=x onerror=\"&#x61;lert(1)\" alt=\"</noscript>\">", "<p><!--</p><img src=x onerror={m}>--></p>",
        "<style><style/><img src=x onerror={m}>", "<style></style><img src=x onerror={m}>",
        "<iframe><iframe></iframe><img src=x onerror={m}></iframe>", "<frameset><frame src=javascript:{m}>",
        "<keygen><img src=x onerror={m}>", "<image src=x onerror={m}>", "<isindex><img src=x onerror={m}>",
        "<h1><h2><p><svg><p><style><img src=x onerror={m}>", "<svg><foreignobject><p><style><img src=x onerror={m}>",
        "<math><mi><svg><style><img src=x onerror={m}>", "<math><mtext><svg><style><img src=x onerror={m}>",
        "<noscript><style></noscript><img src=x onerror={m}>", "<textarea><noscript></textarea><img src=x onerror={m}>",
        "<a href=\"https://a.example\">\x00<img src=x onerror={m}></a>", "<a\x00 href=javascript:{m}>x</a>",
        "<img src=x onerror={m}\x00>", "<img src=\"x\"\x00onerror={m}>", "<img \"\" src=x onerror={m}>",
    )  # fmt: skip
    for index, pattern in enumerate(patterns):
        yield pattern.format(m=_marker(index))


FAMILIES = {
    "legacy": legacy,
    "filter_evasion": filter_evasion,
    "svg": svg,
    "mathml": mathml,
    "markdown": markdown,
    "url_schemes": url_schemes,
    "breakout": breakout,
    "cjk_fullwidth": cjk_fullwidth,
    "mutation": mutation,
}


def corpus() -> list[Payload]:
    """Every family's payloads, each text once (the first family that made it keeps it)."""
    seen: set[str] = set()
    payloads: list[Payload] = []
    for family, make in FAMILIES.items():
        for text in make():
            if text in seen or not text.strip():
                continue
            seen.add(text)
            payloads.append(Payload(family=family, text=text, number=len(payloads)))
    return payloads


def counts(payloads: Iterable[Payload]) -> dict[str, int]:
    tally: dict[str, int] = dict.fromkeys(FAMILIES, 0)
    for payload in payloads:
        tally[payload.family] += 1
    return tally


def packed(texts: Iterable[str], *, limit: int, separator: str = " ") -> list[str]:
    """Texts joined by ``separator`` into values of at most ``limit`` characters; a text
    longer than ``limit`` is cut to it (its opening is what a field of that size holds)."""
    values: list[str] = []
    current = ""
    for text in (text[:limit] for text in texts):
        candidate = f"{current}{separator}{text}" if current else text
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            values.append(current)
        current = text
    if current:
        values.append(current)
    return values


# The DOM rules ------------------------------------------------------------------------------

URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "xlink:href", "data", "background", "poster",
    "lowsrc", "dynsrc", "codebase", "ping", "manifest", "icon", "srcset", "cite", "longdesc",
})  # fmt: skip
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:", "mocha:")
# Elements a page never has from its own templates; from user input they would load or run.
FOREIGN_ELEMENTS = frozenset(
    {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal", "import"}
)
DATA_SCRIPT_TYPES = frozenset({"application/ld+json", "application/json"})
# WHATWG URL: C0 controls and spaces are trimmed around a URL, tabs and newlines removed
# inside it; a scheme is a letter then letters, digits, "+", "-" or "." before the ":".
_URL_TRIM = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")
_URL_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def url_scheme(value: str) -> str:
    """The scheme a browser reads in an attribute's value, as parsed (entities decoded);
    "" for a relative URL."""
    url = _URL_TAB_NEWLINE.sub("", _URL_TRIM.sub("", value))
    match = _SCHEME.match(url)
    return match.group(1).lower() if match else ""


def url_is_dangerous(value: str) -> bool:
    """Whether a browser would run or render this URL as active content. A scheme written
    with percent escapes (``javascript%3A…``) is no scheme to a browser: a relative path."""
    return f"{url_scheme(value)}:" in BAD_SCHEMES


class _Walker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script: dict[str, str | None] | None = None
        self._script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)
        if tag == "script":
            self._script = dict(attrs)
            self._script_text = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)
        if tag == "script":
            self._script_check(dict(attrs), "")

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self._script_check(self._script, "".join(self._script_text))
            self._script = None

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FOREIGN_ELEMENTS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name}={value!r} on <{tag}>")
            elif name == "srcdoc":
                self.problems.append(f"srcdoc on <{tag}>")
            elif name in URL_ATTRIBUTES and value and url_is_dangerous(value):
                self.problems.append(f"{name}={value!r} on <{tag}>")
        if tag == "meta":
            values = dict(attrs)
            if (values.get("http-equiv") or "").lower() == "refresh":
                self.problems.append(f"<meta http-equiv=refresh content={values.get('content')!r}>")

    def _script_check(self, attrs: dict[str, str | None], text: str) -> None:
        kind = (attrs.get("type") or "").lower()
        src = attrs.get("src")
        if kind in DATA_SCRIPT_TYPES:
            try:
                json.loads(text)
            except ValueError:
                self.problems.append(f"<script type={kind}> that is not JSON: {text[:120]!r}")
            return
        if src is None:
            self.problems.append(f"inline <script>: {text[:120]!r}")
        elif not (src.startswith("/static/") and not src.startswith("//")):
            self.problems.append(f"<script src={src!r}>")


def dom_problems(markup: str) -> list[str]:
    """Every on* attribute, dangerous URL, foreign element and unexpected script in a page."""
    walker = _Walker()
    walker.feed(markup)
    walker.close()
    return walker.problems
