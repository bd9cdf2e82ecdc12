"""Measure the peak GPU memory of one fine-tuning step with PyTorch (``llmem measure``).

Two devices: a real GPU (``cuda``) or a fake CUDA device (``fake-cuda``) that runs the real Hugging
Face model code on FakeTensors in a CPU-only PyTorch build, with a tiny C++ library standing in for
the CUDA runtime. Importing this package never imports torch: torch runs only in a worker subprocess
(see ``runner.py``), so the estimator and its tests do not need it.
"""

from llmem_core.measure.request import MeasureRequest

__all__ = ["MeasureRequest"]
