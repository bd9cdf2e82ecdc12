"""The "Hub id" model source: a Hugging Face id typed by the user, read by the core (issue #13).

A module of its own so the input code keeps one small hook (inputs._model). The fetch is the
core's (llmem_core.hub: config.json only, through huggingface_hub and its cache, read as plain
JSON, nothing executed); the page caches the fetched text per id (I/O only) and shows the
core's one-line message when it fails. The id is the user's text: it is shown through
safe.say (md). The share link carries it (`hub=ORG/NAME`, checked by the same rule as the box
on the way in): the box fetches as soon as it holds an id, with no button, so a link's id is
put back in the box and the recipient's page reads the same model (or says the same refusal).
Its strings are i18n's (source_hub, hub_*, link_bad_hub).
"""

from __future__ import annotations

import streamlit as st

from llmem_core import Architecture, InputError
from llmem_core.hf_config import read_config_text
from llmem_core.hub import config_text, looks_like_hub_id
from llmem_core.params import counts
from llmem_dashboard.i18n import Lang, fmt_params, t
from llmem_dashboard.safe import say
from llmem_dashboard.state import LinkProblem

SOURCE = "hub"
KEY = "hub_id"
MAX_ID_CHARS = 200
PARAM = "hub"  # the link's parameter


def valid_id(text: str) -> bool:
    """The box's rule for an id it will fetch: ORG/NAME as the Hub allows, within the box."""
    return len(text) <= MAX_ID_CHARS and looks_like_hub_id(text)


def link_params(source: str, box: str | None) -> dict[str, str]:
    """The link's `hub` parameter while the Hub id is the model's source and a valid id is in
    the box (an id the box refuses is left out, as the page shows the preset for it)."""
    hub_id = (box or "").strip()
    return {PARAM: hub_id} if source == SOURCE and valid_id(hub_id) else {}


def seed(value: str, problems: list[LinkProblem]) -> bool:
    """A link's id put in the box (True), or refused with a problem for the page (False)."""
    hub_id = value.strip()
    if not valid_id(hub_id):
        problems.append(LinkProblem(PARAM, hub_id[:80], "link_bad_hub"))
        return False
    st.session_state[KEY] = hub_id
    return True


@st.cache_data(show_spinner=False, max_entries=64)
def _fetched(hub_id: str) -> str:
    return config_text(hub_id)  # InputError is not cached (st.cache_data caches returns only)


def hub_model(lang: Lang) -> tuple[Architecture | None, str | None]:
    """(architecture, None), (None, why not) or (None, None) while the box is empty."""
    hub_id = st.text_input(
        t(lang, "hub_box"), key=KEY, max_chars=MAX_ID_CHARS, help=t(lang, "hub_hint")
    ).strip()
    if not hub_id:
        st.caption(t(lang, "hub_waiting"))
        return None, None
    if not valid_id(hub_id):
        return None, t(lang, "hub_bad_id")
    try:
        arch = read_config_text(_fetched(hub_id), hub_id)
    except InputError as err:
        return None, err.message
    params = fmt_params(counts(arch).total, lang)
    st.caption(say(lang, "hub_ok", name=hub_id, params=params))
    return arch, None
