"""The "Hub id" model source: a Hugging Face id typed by the user, read by the core (issue #13).

A module of its own so the input code keeps one small hook (inputs._model). The fetch is the
core's (llmem_core.hub: config.json only, through huggingface_hub and its cache, read as plain
JSON, nothing executed); the page caches the fetched text per id (I/O only) and shows the
core's one-line message when it fails. The id is the user's text: it is shown through md() and
is not part of the share link (like an upload).
"""

from __future__ import annotations

import streamlit as st

from llmem_core import Architecture, InputError
from llmem_core.hf_config import read_config_text
from llmem_core.hub import config_text, looks_like_hub_id
from llmem_core.params import counts
from llmem_dashboard.i18n import Lang, fmt_params
from llmem_dashboard.safe import md

SOURCE = "hub"
KEY = "hub_id"
MAX_ID_CHARS = 200
TEXT = {
    "label": {"en": "Hub id", "ja": "Hub ID"},
    "box": {"en": "Hugging Face Hub id (ORG/NAME)", "ja": "Hugging Face HubのID（ORG/NAME）"},
    "hint": {
        "en": "Only its config.json is fetched and read as plain JSON; nothing is executed. "
        "Gated models need HF_TOKEN where the page runs. Not part of the share link.",
        "ja": "config.jsonだけを取得し、JSONとして読みます。何も実行しません。"
        "ゲート付きモデルにはページを動かす環境のHF_TOKENが必要です。共有リンクには含まれません。",
    },
    "waiting": {
        "en": "No id yet: showing the preset above.",
        "ja": "ID未入力のため、上のプリセットを表示しています。",
    },
    "bad_id": {
        "en": "A Hub id is ORG/NAME (letters, digits, - _ .)",
        "ja": "HubのIDはORG/NAMEの形です（英数字と - _ .）",
    },
    "ok": {"en": "Read {name}: {params} parameters", "ja": "{name}を読み込みました：{params}"},
}


def text(lang: Lang, key: str) -> str:
    entry = TEXT[key]
    return entry.get(lang) or entry["en"]


def label(lang: Lang) -> str:
    """The radio option's name."""
    return text(lang, "label")


@st.cache_data(show_spinner=False, max_entries=64)
def _fetched(hub_id: str) -> str:
    return config_text(hub_id)  # InputError is not cached (st.cache_data caches returns only)


def hub_model(lang: Lang) -> tuple[Architecture | None, str | None]:
    """(architecture, None), (None, why not) or (None, None) while the box is empty."""
    hub_id = st.text_input(
        text(lang, "box"), key=KEY, max_chars=MAX_ID_CHARS, help=text(lang, "hint")
    ).strip()
    if not hub_id:
        st.caption(text(lang, "waiting"))
        return None, None
    if not looks_like_hub_id(hub_id):
        return None, text(lang, "bad_id")
    try:
        arch = read_config_text(_fetched(hub_id), hub_id)
    except InputError as err:
        return None, err.message
    params = fmt_params(counts(arch).total, lang)
    st.caption(text(lang, "ok").format(name=md(hub_id), params=md(params)))
    return arch, None
