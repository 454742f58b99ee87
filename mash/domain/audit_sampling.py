"""Monthly dip-sample audits (seed 002 §16), as pure rules with no Django.

"Dip sample and audit one case per worker per month. 20% of NFA cases will be audited on a
monthly basis by the MASH service manager. All referrals sent for an assessment resulting in
NFA will be audited by the First Response Service manager."

Three independent streams are drawn from one month's cases:

* **per worker**: one case for each worker who recommended an outcome a manager signed off
  that month;
* **NFA**: ceil(p% x n) of the n cases signed off that month with the outcome NFA (p is the
  partnership's ``nfa_audit_percent``, 20 by default);
* **assessment NFA**: every case whose assessment after the MASH ended in NFA that month.

A case may appear in more than one stream (each stream answers a different question), never
twice in the same stream. The draw is deterministic for a given seed (the month), whatever
order the cases arrive in, and it tops up an earlier draw rather than replacing it: samples
already drawn are kept (a month drawn by hand mid-month and again by the scheduled task on
the 1st keeps the first draw and adds only what is missing).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

PER_WORKER = "per_worker"
NFA = "nfa"
ASSESSMENT_NFA = "assessment_nfa"
STREAMS = (PER_WORKER, NFA, ASSESSMENT_NFA)


@dataclass(frozen=True)
class MonthCase:
    """One case of the month, as the sampling rules see it."""

    case_id: int
    worker_id: int | None  # who recommended the agreed outcome
    signed_off: bool  # the agreed outcome was signed off in the month
    outcome_nfa: bool  # the agreed outcome is NFA
    assessment_nfa: bool = False  # an assessment after the MASH ended in NFA, completed in the month


@dataclass(frozen=True)
class Draw:
    """The cases drawn in each stream: per worker (worker id -> case id), NFA and assessment NFA."""

    per_worker: Mapping[int, int] = field(default_factory=dict)
    nfa: frozenset[int] = frozenset()
    assessment_nfa: frozenset[int] = frozenset()

    def cases(self, stream: str) -> frozenset[int]:
        if stream == PER_WORKER:
            return frozenset(self.per_worker.values())
        if stream == NFA:
            return self.nfa
        if stream == ASSESSMENT_NFA:
            return self.assessment_nfa
        raise ValueError(f"Unknown audit stream: {stream}")


def nfa_sample_size(nfa_cases: int, percent: int) -> int:
    """ceil(percent% x nfa_cases), in integers (no floating point surprises at 20% of 5)."""
    if nfa_cases < 0 or not 0 <= percent <= 100:
        raise ValueError("The number of NFA cases must not be negative and the share must be 0-100%.")
    return (nfa_cases * percent + 99) // 100


def worker_population(cases: Iterable[MonthCase]) -> dict[int, list[int]]:
    """Each worker's cases signed off in the month (case ids, sorted)."""
    by_worker: dict[int, set[int]] = {}
    for case in cases:
        if case.signed_off and case.worker_id is not None:
            by_worker.setdefault(case.worker_id, set()).add(case.case_id)
    return {worker: sorted(ids) for worker, ids in by_worker.items()}


def nfa_population(cases: Iterable[MonthCase]) -> list[int]:
    return sorted({case.case_id for case in cases if case.signed_off and case.outcome_nfa})


def assessment_nfa_population(cases: Iterable[MonthCase]) -> list[int]:
    return sorted({case.case_id for case in cases if case.assessment_nfa})


def _rng(seed: str, stream: str) -> random.Random:
    # A string seed is hashed by random.Random (SHA-512), so the draw is stable across runs and machines.
    return random.Random(f"{seed}:{stream}")


def draw(cases: Iterable[MonthCase], *, nfa_percent: int, seed: str, already: Draw | None = None) -> Draw:
    """Draw the month's three streams, keeping whatever `already` holds."""
    cases = list(cases)
    already = already or Draw()

    per_worker = dict(already.per_worker)
    rng = _rng(seed, PER_WORKER)
    for worker, ids in sorted(worker_population(cases).items()):
        if worker not in per_worker:
            per_worker[worker] = rng.choice(ids)

    population = nfa_population(cases)
    nfa = set(already.nfa)
    wanted = nfa_sample_size(len(population), nfa_percent)
    remaining = [case_id for case_id in population if case_id not in nfa]
    if len(nfa) < wanted and remaining:
        nfa.update(_rng(seed, NFA).sample(remaining, min(wanted - len(nfa), len(remaining))))

    assessment = set(already.assessment_nfa) | set(assessment_nfa_population(cases))
    return Draw(per_worker=per_worker, nfa=frozenset(nfa), assessment_nfa=frozenset(assessment))


def month_seed(year: int, month: int) -> str:
    """The seed of a month's draw: the same month always draws the same cases."""
    if not 1 <= month <= 12:
        raise ValueError("A month is 1-12.")
    return f"mash-audit-{year:04d}-{month:02d}"
