"""Reading the page under streamlit.testing (AppTest) for the dashboard tests: its elements in
order, the verdict, a metric, and a config.json uploaded through the sidebar."""

from __future__ import annotations

import json

# A small Llama-shaped config.json (8 layers, GQA 16/4): fast to estimate, valid for the core.
TINY_LLAMA = {
    "model_type": "llama",
    "hidden_size": 1024,
    "num_hidden_layers": 8,
    "num_attention_heads": 16,
    "num_key_value_heads": 4,
    "intermediate_size": 4096,
    "vocab_size": 32000,
    "tie_word_embeddings": False,
}


def walk(node):
    """Every element under a block, in page order."""
    for index in sorted(getattr(node, "children", None) or {}):
        child = node.children[index]
        yield child
        yield from walk(child)


def widget_before(at, element) -> str | None:
    """The key of the last widget drawn above an element in the sidebar: the input it is next
    to."""
    last = None
    for node in walk(at.sidebar):
        if node is element:
            return last
        last = getattr(node, "key", None) or last
    return None


def verdict_text(at) -> str:
    return next(m.value for m in at.markdown if 'data-testid="llmem-verdict"' in m.value)


def metric_value(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def upload(app, name: str, config: dict | bytes):
    """The page run with `config` (a dict is written as JSON) uploaded as the file `name`."""
    data = json.dumps(config).encode() if isinstance(config, dict) else config
    at = app.run()
    at.radio(key="model_source.en").set_value("upload").run()
    return at.file_uploader(key="config_file").upload(name, data, "application/json").run()


def on_tab(app, name: str):
    """The page opened through a link to one of its tabs (llmem_dashboard.state.TABS): only the
    open tab's section is built and drawn."""
    app.query_params["tab"] = name
    return app
