"""User-supplied text shown as text, never as Markdown or HTML.

A link's values, an uploaded file's name, the model name inside a config.json and every error
message that echoes them reach the page through st.markdown / st.error / st.warning /
st.caption (Markdown: links, images, HTML, LaTeX, directives) or through plotly and the headline
(HTML). `md()` makes a string inert for Markdown, `html()` for HTML; `say()` fills a trusted
i18n template with values made inert.
"""

from __future__ import annotations

import html as _html
import re

from llmem_dashboard.i18n import Lang, t

# Every ASCII punctuation character can be backslash-escaped in CommonMark (spec §2.4), which
# makes it a literal: no link, image, emphasis, code, HTML, table, heading or list can start.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# GFM also turns bare URLs and e-mail addresses into links, after escapes are read (remark-gfm
# finds them in the text): a word joiner (U+2060, invisible) after the scheme or "@" breaks
# the match without changing what a reader sees.
_AUTOLINK = re.compile(r"(?i)(https?|ftp|mailto|xmpp|www)(?=\\[:.])|(\\@)")
WORD_JOINER = "\u2060"


def one_line(text: object) -> str:
    """Whitespace (newlines included) collapsed to single spaces: a value stays one line."""
    return " ".join(str(text).split())


def md(text: object) -> str:
    """A string that Markdown shows exactly as written (on one line)."""
    escaped = _PUNCTUATION.sub(r"\\\1", one_line(text))
    return _AUTOLINK.sub(lambda m: (m.group(1) or m.group(2)) + WORD_JOINER, escaped)


def html(text: object) -> str:
    """A string that HTML (the headline, plotly's titles and hover text) shows as written;
    `*` too, so a value cannot pair with the template's **bold** marks."""
    return _html.escape(one_line(text), quote=False).replace("*", "&#42;")


def say(lang: Lang, key: str, **values: object) -> str:
    """A trusted template with user values made inert for Markdown."""
    return t(lang, key, **{k: md(v) for k, v in values.items()})


def plain(markdown_text: str) -> str:
    """What md() text reads as (escapes and word joiners removed), e.g. for tests and copies."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown_text).replace(WORD_JOINER, "")
