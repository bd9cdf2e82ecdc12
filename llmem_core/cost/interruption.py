"""Interruptions: how much longer a run takes on an interruptible or marketplace listing.

When the provider takes the GPUs back, the run loses the work since its last checkpoint, then
the time to start again (get GPUs, start, load the checkpoint); writing checkpoints costs time
too. Daly's checkpoint/restart model (J. T. Daly, "A higher order estimate of the optimum
checkpoint interval for restart dumps", Future Generation Computer Systems 22(3):303–312,
2006), interruptions arriving at random (exponential, mean M):

    τ    = √(2δM) · [1 + ⅓·√(δ/2M) + (δ/2M)/9] − δ      (δ < 2M; else τ = M)   the interval
    T_w  = M · e^{R/M} · (e^{(τ+δ)/M} − 1) · T_s / τ                           the wall time

δ: the time to write one checkpoint; R: the time to restart; T_s: the run's own time; T_w its
expected time with interruptions. A synchronous job stops when any of its servers is taken, so
its M is one server's mean time between interruptions ÷ the servers. A run shorter than τ
writes one checkpoint, at its end (τ = T_s). Young's first-order waste √(2δ/M) + R/M
(J. W. Young, CACM 17(9):530–531, 1974) is the small-δ/M, small-R/M limit (its test).

Not counted: waiting for capacity to come back, a run that cannot start at all. The defaults
(CostAssumptions) are heuristics; no interruption could be measured here. The slowdown is
computed in logs and capped at MAX_SLOWDOWN: interruptions faster than restarts (many servers,
a short mean time, long restarts) give e^{R/M} past any float, and such a run never finishes.
"""

from __future__ import annotations

from math import exp, expm1, log, sqrt

MINUTES_PER_HOUR = 60
# A run a million times its own length never finishes in any plan's lifetime: the cap keeps
# the figure finite (and plainly absurd) where the exponentials would overflow. A bound.
MAX_SLOWDOWN = 1e6


def interval(delta: float, m: float) -> float:
    """Daly's optimal checkpoint interval τ (hours) for a write of δ and a mean time M."""
    if delta <= 0:
        return 0.0
    if delta >= 2 * m:
        return m
    x = delta / (2 * m)
    return sqrt(2 * delta * m) * (1 + sqrt(x) / 3 + x / 9) - delta


def slowdown(
    hours: float, servers: int, hours_between: float, checkpoint_min: float, restart_min: float
) -> float:
    """T_w ÷ T_s: how many times its own time a run of `hours` on `servers` servers takes when
    each server is interrupted every `hours_between` on average (≥ 1)."""
    m = hours_between / servers
    delta, restart = checkpoint_min / MINUTES_PER_HOUR, restart_min / MINUTES_PER_HOUR
    tau = min(interval(delta, m), hours)
    log_slowdown = restart / m  # with no checkpoint cost: the limit τ → 0 of T_w / T_s
    if tau > 0:  # log of e^{R/M} · (e^x − 1) · M/τ, x = (τ + δ)/M, as x + log(1 − e^{−x})
        x = (tau + delta) / m
        log_slowdown += x + log(-expm1(-x)) + log(m / tau)
    return MAX_SLOWDOWN if log_slowdown >= log(MAX_SLOWDOWN) else exp(log_slowdown)
