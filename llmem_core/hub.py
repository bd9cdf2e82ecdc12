"""A model by its Hugging Face Hub id: fetch its config.json, cache it, read it as plain JSON.

Only `config.json` is downloaded, through huggingface_hub's `hf_hub_download`, which keeps it in
the Hub cache (so a second run, or an offline one, finds it there). The environment is read at
each call, not at import: HF_ENDPOINT (a mirror or a Hub-compatible server), HF_HOME /
HF_HUB_CACHE (where the cache lives), HF_TOKEN (gated and private repos; else the token
`hf auth login` saved) and HF_HUB_OFFLINE (cache only). The file then goes through safe_json's
bounds and hf_config's readers like a local file: nothing in it is imported or executed
(`auto_map` and remote code are ignored). Every failure is one InputError on `model` that says
what to do. The only module of the core that touches the network, called only when --model is
neither a preset nor a path.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from llmem_core import safe_json
from llmem_core.errors import InputError, echo

# owner/name as the Hub allows them (huggingface_hub validate_repo_id: letters, digits, - _ .).
HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$")
CONFIG = "config.json"
ETAG_TIMEOUT_S = 10.0  # huggingface_hub's default for the metadata request
WHAT_TO_DO = "give a preset (`llmem models`) or the path of a local config.json"


def looks_like_hub_id(ref: str) -> bool:
    return bool(HUB_ID.match(ref)) and ".." not in ref


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _cache_dir() -> str | None:
    if os.environ.get("HF_HUB_CACHE"):
        return os.environ["HF_HUB_CACHE"]
    home = os.environ.get("HF_HOME")
    return str(Path(home) / "hub") if home else None


def fetch_config(hub_id: str, revision: str | None = None) -> str:
    """The path of the cached config.json of a Hub repo; InputError saying what to do."""
    from huggingface_hub import hf_hub_download

    where = {
        "cache_dir": _cache_dir(),
        "endpoint": os.environ.get("HF_ENDPOINT") or None,
        "token": os.environ.get("HF_TOKEN") or None,
    }
    try:
        offline = _offline() or not _reachable(hub_id, revision, where)
        return hf_hub_download(hub_id, CONFIG, revision=revision, local_files_only=offline, **where)
    except Exception as err:  # every failure of the Hub client becomes one line
        raise _explain(hub_id, err) from None


def _reachable(hub_id: str, revision: str | None, where: dict) -> bool:
    """One metadata request without retries: False when the endpoint cannot be reached (then
    only the cache is read, instead of hf_hub_download's five back-off retries, ~23 s); the
    Hub's own refusals (gated, not found) are raised as they come."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_url
    from huggingface_hub.errors import HfHubHTTPError

    url = hf_hub_url(hub_id, CONFIG, revision=revision, endpoint=where["endpoint"])
    try:
        get_hf_file_metadata(url, token=where["token"], timeout=ETAG_TIMEOUT_S)
    except HfHubHTTPError:
        raise  # the Hub answered: gated, not found …
    except Exception:  # no answer (refused, timed out, no route): the transport's own errors
        return False
    return True


def _explain(hub_id: str, err: Exception) -> InputError:
    from huggingface_hub import errors

    name = echo(hub_id)
    if isinstance(err, errors.GatedRepoError):
        return InputError(
            "model",
            f"{name} is gated on the Hub: accept its terms on its Hub page, then pass a token "
            f"(HF_TOKEN or `hf auth login`); or {WHAT_TO_DO}",
        )
    if isinstance(err, errors.RepositoryNotFoundError):
        return InputError(
            "model",
            f"{name} is not on the Hub (or is private: pass a token with HF_TOKEN); check the "
            f"id, or {WHAT_TO_DO}",
        )
    if isinstance(err, errors.LocalEntryNotFoundError | errors.OfflineModeIsEnabled) or _offline():
        where = "offline (HF_HUB_OFFLINE)" if _offline() else "the Hub could not be reached"
        return InputError(
            "model",
            f"{name}: {where} and no cached {CONFIG}; connect (or set HF_ENDPOINT to a mirror), "
            f"or {WHAT_TO_DO}",
        )
    # (LocalEntryNotFoundError, the cache's miss, is an EntryNotFoundError too: tested first)
    if isinstance(err, errors.RevisionNotFoundError | errors.EntryNotFoundError):
        return InputError("model", f"{name} has no {CONFIG} on the Hub; {WHAT_TO_DO}")
    return InputError(
        "model",
        f"{name}: the Hub did not give its {CONFIG} ({type(err).__name__}); retry, set "
        f"HF_ENDPOINT, or {WHAT_TO_DO}",
    )


def config_text(hub_id: str) -> str:
    """The text of a Hub repo's config.json (bounded like any user file)."""
    return safe_json.read_file(fetch_config(hub_id), "model")
