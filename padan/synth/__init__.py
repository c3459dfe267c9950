"""Synthetic Sulawesi Selatan: a population register, a DPT drawn from it with the errors real
lists have, daily register deltas up to the recording deadline, and the ground truth.

``generate(out_dir, ...)`` writes the files; the error model and its rates are in
:mod:`padan.synth.model` and documented in ``docs/synth.md``.
"""

from padan.synth.generate import SynthManifest, generate
from padan.synth.model import ERROR_RATES

__all__ = ["ERROR_RATES", "SynthManifest", "generate"]
