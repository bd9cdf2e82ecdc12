"""--model ORG/NAME fetched from a Hub-compatible endpoint that the test serves on loopback.

The server answers the two routes huggingface_hub uses for one file: the metadata request
(HEAD) and the download (GET) of `/{repo}/resolve/{revision}/config.json` with the Hub's
headers (ETag, X-Repo-Commit), and `/api/models/{repo}`; errors carry the Hub's X-Error-Code
(GatedRepo, RepoNotFound, EntryNotFound), which the client turns into its typed errors.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from llmem_core.cli import main
from llmem_core.errors import InputError
from llmem_core.params import counts
from llmem_core.presets import model_records, resolve_model

COMMIT = "0123456789abcdef0123456789abcdef01234567"
QWEN3 = model_records()["Qwen/Qwen3-0.6B"]["config"]
REPOS = {
    "acme/qwen3": QWEN3,
    "acme/gated": QWEN3,  # served only with the right token
    "acme/encoder": {"model_type": "t5", "d_model": 512, "num_layers": 6, "vocab_size": 32128},
}
TOKEN = "hf_test_token"


class Hub(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes = b"", **headers: str) -> None:
        self.send_response(status)
        for key, value in {"Content-Length": str(len(body)), **headers}.items():
            self.send_header(key.replace("_", "-"), value)
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    def _route(self) -> None:
        Hub.requests.append(f"{self.command} {self.path}")
        parts = self.path.split("?")[0].strip("/").split("/")
        api = parts[:2] == ["api", "models"]
        repo = "/".join(parts[2:4] if api else parts[:2])
        if repo not in REPOS:
            return self._send(401, b"{}", X_Error_Code="RepoNotFound")
        token = self.headers.get("Authorization", "")
        if repo == "acme/gated" and token != f"Bearer {TOKEN}":
            return self._send(403, b"{}", X_Error_Code="GatedRepo")
        if api:
            info = {"id": repo, "sha": COMMIT, "siblings": [{"rfilename": "config.json"}]}
            return self._send(200, json.dumps(info).encode())
        if parts[2:3] != ["resolve"] or parts[-1] != "config.json":
            return self._send(404, b"{}", X_Error_Code="EntryNotFound")
        body = json.dumps(REPOS[repo]).encode()
        self._send(200, body, ETag='"etag-1"', X_Repo_Commit=COMMIT)

    do_GET = do_HEAD = _route


@pytest.fixture
def hub(monkeypatch, tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    Hub.requests = []
    yield server
    server.shutdown()
    server.server_close()


def test_a_hub_id_is_fetched_cached_and_read(hub, tmp_path) -> None:
    arch = resolve_model("acme/qwen3")
    assert counts(arch).total == model_records()["Qwen/Qwen3-0.6B"]["params_exact"]
    assert any("/acme/qwen3/resolve/main/config.json" in r for r in Hub.requests)
    assert list((tmp_path / "hub").glob("models--acme--qwen3/snapshots/*/config.json"))


def test_offline_reads_the_cache(hub, monkeypatch) -> None:
    resolve_model("acme/qwen3")
    Hub.requests = []
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert resolve_model("acme/qwen3").name == "acme/qwen3"
    assert Hub.requests == []  # nothing asked of the server


def test_gated_needs_a_token(hub, monkeypatch) -> None:
    with pytest.raises(InputError, match=r"gated.*HF_TOKEN"):
        resolve_model("acme/gated")
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    assert resolve_model("acme/gated").family == "qwen3"


@pytest.mark.parametrize(
    ("ref", "said"),
    [
        ("acme/missing", "not on the Hub"),
        ("acme/encoder", "model_type"),
    ],
)
def test_what_to_do_when_it_fails(hub, ref: str, said: str) -> None:
    with pytest.raises(InputError, match=said) as err:
        resolve_model(ref)
    assert err.value.field == "model"


def test_no_network_and_no_cache(monkeypatch, tmp_path) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    with pytest.raises(InputError, match=r"could not be reached.*local config\.json"):
        resolve_model("acme/qwen3")


def test_cli_estimates_a_hub_model_and_exits_2_with_one_line(hub, capsys) -> None:
    job = ["--gpu", "a100-80gb", "--method", "single", "--batch-size", "1", "--seq-len", "512"]
    job += ["--json"]
    assert main(["estimate", "--model", "acme/qwen3", *job]) == 0
    assert json.loads(capsys.readouterr().out)["peak_bytes"] > 0
    assert main(["estimate", "--model", "acme/gated", *job[:-1]]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "gated" in err
