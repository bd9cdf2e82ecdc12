"""What the LLMem authors' `SizeEstimator` walks (size_estimator.py, commit 3d289b4), shared by
the paper profile's optimizer, lm_head, activations and transient terms.

- `param_bytes` (L104-150) visits every parameter of every module whose class name contains
  "Embedding" or is "Linear", in module order: embeddings (token and learned positions), every
  Linear weight *and bias*; a tied lm_head comes last again with the embedding's weight. The
  last entry is the lm_head term lm_p (fp16, not divided); every other entry carries the
  optimizer states and, under ADP and DP+TP, the gathered fp16 copy.
- `get_output_sizes` (L27-101) records the tensors at block boundaries: the token embedding's
  output twice (for "embed_tokens" and "embed_positions", whether or not the model has a
  position table), the input of every decoder block after the first, the last block's output
  again, and the logits; models with `project_out` (OPT-350m) end with its narrower output.
  The backward all-gather list is the same boundaries without the embeddings.

Families the paper did not run are walked the same way, with llmem's tensor kinds: GPT-2's
Conv1D weights count as Linear here (the authors' name test would skip them).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from llmem_core.models import Architecture
from llmem_core.params import tensors
from llmem_core.units import CUDA_PAGE

ESTIMATOR_KINDS = ("embedding", "linear", "bias")  # params.py kinds of Embedding/Linear params
INPUT_SAMPLES = 2  # the probe batch: test_long_input["input_ids"][0:2] (dp_real.py L346)
INPUT_ID_BYTES = 8  # bytes_input=8: int64 token ids (dp_real.py L346)


def pages_of(nbytes: int, num: int = 1, den: int = 1) -> int:
    """⌈nbytes·num/den⌉_p: the code's `int(b / base) * base + base` on a real number."""
    return -(-nbytes * num // (den * CUDA_PAGE)) * CUDA_PAGE


@lru_cache(maxsize=256)
def module_params(arch: Architecture) -> tuple[int, ...]:
    """Elements of each entry of `param_bytes`' list; the last is the lm_head term."""
    walked = [t.numel for t in tensors(arch) if t.kind in ESTIMATOR_KINDS]
    if arch.tie_word_embeddings:
        walked.append(arch.vocab_size * arch.embedding_dim)  # lm_head.weight is the embedding
    return tuple(walked)


class Widths(NamedTuple):
    """Feature widths of the boundary tensors, as (width, how many) pairs."""

    kept: tuple[tuple[int, int], ...]  # m_out: calc_output_bytes L165-172
    gathered: tuple[tuple[int, int], ...]  # m_back: calc_output_bytes L174-182


def boundary_widths(arch: Architecture) -> Widths:
    layers, h, e = arch.num_layers, arch.hidden_size, arch.embedding_dim
    if e != h:  # project_out: its e-wide output replaces the last block's (L78-88)
        return Widths(kept=((e, 3), (h, layers - 1)), gathered=((h, layers - 1), (e, 1)))
    return Widths(kept=((e, 2), (h, layers)), gathered=((h, layers - 1),))


def input_bytes(seq: int) -> int:
    """calc_input_bytes (L153-158): the probe's token ids, one page at the paper's lengths."""
    return pages_of(INPUT_SAMPLES * seq * INPUT_ID_BYTES)
