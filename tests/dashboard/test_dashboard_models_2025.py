"""The page with issue #13's presets picked from the list: a verdict, no error, no trace."""

from __future__ import annotations

import pytest

from llmem_dashboard.safe import plain


@pytest.mark.parametrize(
    "hf_id", ["Qwen/Qwen3-30B-A3B", "openai/gpt-oss-20b", "google/gemma-3-27b-pt"]
)
def test_a_2025_preset_is_shown(app, hf_id: str) -> None:
    at = app.run()
    at.selectbox(key="model.en").set_value(hf_id).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    verdict = next(m.value for m in at.markdown if 'data-testid="llmem-verdict"' in m.value)
    assert hf_id in plain(verdict)
