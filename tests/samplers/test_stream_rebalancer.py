from __future__ import annotations

import math

import pytest
import torch
from scipy.stats import chisquare
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

from torchbalance.exceptions import DataValidationError, InvalidParameterError
from torchbalance.samplers import _stream
from torchbalance.samplers._stream import StreamRebalancer

PRIORS = {0: 0.7, 1: 0.2, 2: 0.1}
# The tests use a fixed seed, so they are deterministic; the thresholds say how far from the
# target a correct sampler may plausibly land. Known priors: the kept classes are iid draws from
# the target, so a chi-square test at the 0.1% level. Estimated priors: the acceptance rates carry
# the estimation error of the running counts, so the level is 1e-6 and every share is also
# required to be within 0.02 of its target.
P_KNOWN = 1e-3
P_ESTIMATED = 1e-6
SHARE_TOLERANCE = 0.02


def make_stream(n: int, priors: dict[int, float] = PRIORS, seed: int = 0) -> list[tuple[int, int]]:
    """Items ``(position, class)`` with classes drawn iid from ``priors``."""
    probabilities = torch.tensor(list(priors.values()), dtype=torch.float64)
    draws = torch.multinomial(
        probabilities, n, replacement=True, generator=torch.Generator().manual_seed(seed)
    )
    classes = list(priors)
    return [(i, classes[c]) for i, c in enumerate(draws.tolist())]


def label(item: tuple[int, int]) -> int:
    return item[1]


def class_counts(items: list[tuple[int, int]], classes: list[int]) -> list[int]:
    counts = dict.fromkeys(classes, 0)
    for _, c in items:
        counts[c] += 1
    return [counts[c] for c in classes]


def assert_matches(counts: list[int], shares: list[float], level: float) -> None:
    total = sum(counts)
    expected = [s * total for s in shares]
    assert chisquare(counts, expected).pvalue > level, (counts, expected)


STREAM = make_stream(40_000)


@pytest.mark.parametrize(
    ("target", "shares"),
    [("balanced", [1 / 3, 1 / 3, 1 / 3]), ({0: 5, 1: 3, 2: 2}, [0.5, 0.3, 0.2])],
)
def test_known_priors_reach_the_target(target, shares):
    rebalancer = StreamRebalancer(STREAM, label_fn=label, target=target, priors=PRIORS, generator=0)
    kept = list(rebalancer)
    counts = class_counts(kept, [0, 1, 2])
    assert_matches(counts, shares, P_KNOWN)
    assert rebalancer.accepted_counts() == dict(zip([0, 1, 2], counts, strict=True))
    assert rebalancer.seen_counts() == dict(
        zip([0, 1, 2], class_counts(STREAM, [0, 1, 2]), strict=True)
    )
    achieved = rebalancer.achieved_distribution()
    assert math.isclose(sum(achieved.values()), 1.0)
    assert all(
        abs(achieved[c] - s) < SHARE_TOLERANCE for c, s in zip([0, 1, 2], shares, strict=True)
    )


def test_known_priors_accept_the_top_ratio_always():
    rebalancer = StreamRebalancer(STREAM, label_fn=label, priors=PRIORS, generator=0)
    list(rebalancer)
    assert rebalancer.accepted_counts()[2] == rebalancer.seen_counts()[2]
    rates = rebalancer.acceptance_probabilities()
    assert rates[2] == 1.0
    assert math.isclose(rates[0], 0.1 / 0.7)
    assert math.isclose(rates[1], 0.1 / 0.2)


@pytest.mark.parametrize(
    ("target", "shares"),
    [("balanced", [1 / 3, 1 / 3, 1 / 3]), ({0: 0.2, 1: 0.3, 2: 0.5}, [0.2, 0.3, 0.5])],
)
def test_estimated_priors_reach_the_target_after_warm_up(target, shares):
    warm_up = 3_000
    rebalancer = StreamRebalancer(STREAM, label_fn=label, target=target, generator=1)
    kept = [item for item in rebalancer if item[0] >= warm_up]
    counts = class_counts(kept, [0, 1, 2])
    assert_matches(counts, shares, P_ESTIMATED)
    total = sum(counts)
    assert all(abs(n / total - s) < SHARE_TOLERANCE for n, s in zip(counts, shares, strict=True))


def test_classes_left_out_of_the_target_are_dropped():
    rebalancer = StreamRebalancer(STREAM, label_fn=label, target={0: 1, 1: 1, 2: 0}, generator=0)
    kept = list(rebalancer)
    assert {c for _, c in kept} == {0, 1}
    assert rebalancer.seen_counts()[2] > 0
    assert 2 not in rebalancer.accepted_counts()
    with_priors = StreamRebalancer(
        STREAM, label_fn=label, target={1: 1}, priors={0: 0.7, 1: 0.2, 2: 0.1}, generator=0
    )
    assert {c for _, c in with_priors} == {1}


def test_int_seed_is_reproducible_and_epochs_differ():
    rebalancer = StreamRebalancer(STREAM[:5000], label_fn=label, generator=3)
    first, second = list(rebalancer), list(rebalancer)
    assert first == second
    assert list(StreamRebalancer(STREAM[:5000], label_fn=label, generator=3)) == first
    rebalancer.set_epoch(1)
    third = list(rebalancer)
    assert third != first
    assert list(StreamRebalancer(STREAM[:5000], label_fn=label, generator=4)) == third  # 3 + 1
    rebalancer.set_epoch(0)
    assert list(rebalancer) == first


def test_torch_generator_and_none_are_accepted():
    generator = torch.Generator().manual_seed(0)
    rebalancer = StreamRebalancer(STREAM[:2000], label_fn=label, priors=PRIORS, generator=generator)
    assert len(list(rebalancer)) > 0
    assert len(list(StreamRebalancer(STREAM[:2000], label_fn=label))) > 0


def test_items_pass_through_unchanged():
    stream = [{"x": torch.randn(3), "y": i % 3} for i in range(3000)]
    kept = list(StreamRebalancer(stream, label_fn=lambda d: d["y"], generator=0))
    ids = {id(item) for item in stream}
    assert kept
    assert all(id(item) in ids for item in kept)
    positions = [next(i for i, s in enumerate(stream) if s is item) for item in kept[:50]]
    assert positions == sorted(positions)  # stream order is kept


def test_tensor_labels_and_one_shot_iterators_work():
    stream = ((i, torch.tensor(i % 2)) for i in range(1000))
    kept = list(StreamRebalancer(stream, label_fn=lambda item: item[1], generator=0))
    assert {int(c) for _, c in kept} == {0, 1}


def test_worker_shares_follow_the_documented_rule(monkeypatch):
    class Info:
        num_workers = 3

        def __init__(self, worker):
            self.id = worker

    stream = [(i, 0) for i in range(30)]  # one class: every item is kept
    shares = []
    for worker in range(3):
        monkeypatch.setattr(_stream, "get_worker_info", lambda w=worker: Info(w))
        shares.append([i for i, _ in StreamRebalancer(stream, label_fn=label, generator=0)])
    assert shares == [list(range(w, 30, 3)) for w in range(3)]


class SelfSharding(IterableDataset):
    def __init__(self, items):
        self.items = items

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(self.items)
        return iter(self.items[info.id :: info.num_workers])


class NotSharding(SelfSharding):
    shards_by_worker = False

    def __iter__(self):
        return iter(self.items)


@pytest.mark.parametrize("wrap", [list, SelfSharding, NotSharding])
def test_dataloader_workers_read_disjoint_shares(wrap):
    stream = STREAM[:4000]
    rebalancer = StreamRebalancer(wrap(stream), label_fn=label, priors=PRIORS, generator=0)
    loader = DataLoader(rebalancer, batch_size=None, num_workers=2)
    kept = [(int(i), int(c)) for i, c in loader]
    positions = [i for i, _ in kept]
    assert len(positions) == len(set(positions))  # nothing duplicated
    assert set(kept) <= set(stream)
    assert {i % 2 for i in positions} == {0, 1}  # both workers contributed
    again = [(int(i), int(c)) for i, c in loader]
    assert sorted(again) == sorted(kept)  # reproducible with an int seed


def test_workers_draw_with_different_generators(monkeypatch):
    class Info:
        num_workers = 2

        def __init__(self, worker):
            self.id = worker

    stream = [(i // 2, i % 2) for i in range(8000)]  # both workers see the same labels
    kept = []
    for worker in range(2):
        monkeypatch.setattr(_stream, "get_worker_info", lambda w=worker: Info(w))
        rebalancer = StreamRebalancer(stream, label_fn=label, priors={0: 0.8, 1: 0.2}, generator=0)
        kept.append([i for i, c in rebalancer if c == 0])
    assert kept[0] != kept[1]


# -- validation ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"dataset": 5}, r"dataset=5 is not iterable"),
        ({"label_fn": "y"}, r"label_fn='y' is invalid; it must be a callable"),
        ({"target": "bal"}, r"target='bal' is invalid; it must be one of \{'balanced'\}"),
        ({"target": 3}, r"target=3 is invalid; it must be 'balanced' or a dict"),
        ({"target": {0: -1.0, 1: 1.0}}, r"target\[0\]=-1.0 is invalid.*>= 0"),
        ({"target": {0: float("nan")}}, r"target\[0\]=nan is invalid"),
        ({"target": {0: 0, 1: 0.0}}, r"gives no class a positive share"),
        ({"target": {}}, r"gives no class a positive share"),
        ({"target": {"a": 1.0}}, r"target has the key 'a'; keys must be int"),
        ({"priors": [0.5, 0.5]}, r"priors=\[0.5, 0.5\] is invalid; it must be a non-empty dict"),
        ({"priors": {}}, r"priors=\{\} is invalid"),
        ({"priors": {0: -0.5, 1: 1.5}}, r"priors\[0\]=-0.5 is invalid"),
        ({"priors": {0: float("nan"), 1: 1.0}}, r"priors\[0\]=nan is invalid"),
        ({"priors": {0: 70, 1: 30}}, r"priors sum to 100, not 1.*divide class counts"),
        ({"priors": {0: 1.0, 1: 0.0}}, r"priors\[1\]=0.0 but class 1 is targeted"),
        (
            {"target": {0: 1, 2: 1}, "priors": {0: 0.5, 1: 0.5}},
            r"target gives class 2 a positive share but priors does not list it",
        ),
        (
            {"generator": -1},
            r"generator=-1 is invalid; a seed must be a non-negative int below 2\*\*64",
        ),
        ({"generator": "seed"}, r"generator='seed' is invalid; it must be an int seed"),
    ],
)
def test_invalid_parameters_are_refused(kwargs, match):
    arguments = {"dataset": STREAM[:10], "label_fn": label, **kwargs}
    with pytest.raises(InvalidParameterError, match=match):
        StreamRebalancer(**arguments)


def test_zero_prior_is_fine_for_a_class_that_is_not_targeted():
    rebalancer = StreamRebalancer(
        STREAM[:10], label_fn=label, target={0: 1, 1: 1}, priors={0: 0.5, 1: 0.5, 2: 0.0}
    )
    assert rebalancer.acceptance_probabilities() == {0: 1.0, 1: 1.0, 2: 0.0}


def test_invalid_epoch_is_refused():
    with pytest.raises(InvalidParameterError, match=r"epoch=-1 is invalid"):
        StreamRebalancer(STREAM[:10], label_fn=label).set_epoch(-1)


def test_class_missing_from_priors_is_refused_naming_it():
    rebalancer = StreamRebalancer([(0, 0), (1, 7)], label_fn=label, priors={0: 1.0})
    with pytest.raises(DataValidationError, match=r"class 7, which priors does not list"):
        list(rebalancer)


def test_non_integer_label_is_refused():
    rebalancer = StreamRebalancer([(0, 0.5)], label_fn=label)
    with pytest.raises(DataValidationError, match=r"label_fn returned 0.5 \(float\)"):
        list(rebalancer)


def test_reports_are_empty_before_iteration():
    rebalancer = StreamRebalancer(STREAM[:10], label_fn=label)
    assert rebalancer.seen_counts() == {}
    assert rebalancer.accepted_counts() == {}
    assert rebalancer.achieved_distribution() == {}
    assert "StreamRebalancer(dataset=list" in repr(rebalancer)


@pytest.mark.parametrize("generator", [7, None, "torch"])
@pytest.mark.parametrize("priors", [PRIORS, None])
def test_resume_from_state_dict_yields_the_rest_of_the_pass(generator, priors):
    def make() -> StreamRebalancer:
        seed = torch.Generator().manual_seed(7) if generator == "torch" else generator
        return StreamRebalancer(STREAM[:3000], label_fn=label, priors=priors, generator=seed)

    torch.manual_seed(11)  # generator=None draws its base seed from here
    interrupted = make()
    interrupted.set_epoch(2)
    iterator = iter(interrupted)
    head = [next(iterator) for _ in range(150)]
    saved = interrupted.state_dict()
    rest = list(iterator)
    assert saved["epoch"] == 2 and saved["consumed"] >= 150

    resumed = make()
    resumed.load_state_dict(saved)
    resumed.set_epoch(2)  # the usual call at the top of the loop keeps the resume point
    assert list(resumed) == rest
    assert resumed.accepted_counts() == interrupted.accepted_counts()
    if generator != "torch":  # a seed gives every pass of an epoch the same draw
        assert list(resumed) == head + rest  # the resume point is used once, then whole passes


def test_load_state_dict_refuses_a_foreign_dict():
    with pytest.raises(InvalidParameterError, match="lacks \\['consumed'\\]"):
        StreamRebalancer(STREAM[:10], label_fn=label).load_state_dict({"epoch": 0})


def _keep_everything(stream, **kwargs):
    # the target equals the priors, so every item is kept and the shares are visible as is
    return StreamRebalancer(stream, label_fn=label, target=PRIORS, priors=PRIORS, **kwargs)


def test_ranks_read_disjoint_shares_that_cover_the_stream():
    stream = STREAM[:600]
    shares = [
        [i for i, _ in _keep_everything(stream, generator=0, num_replicas=3, rank=r)]
        for r in range(3)
    ]
    assert [share == list(range(r, 600, 3)) for r, share in enumerate(shares)] == [True] * 3
    with pytest.raises(InvalidParameterError, match="rank=3 is invalid for num_replicas=3"):
        _keep_everything(stream, num_replicas=3, rank=3)
    with pytest.raises(InvalidParameterError, match="torch.distributed is not initialised"):
        _keep_everything(stream, num_replicas=3)


def test_workers_of_a_rank_split_that_rank_s_share():
    stream = STREAM[:400]
    rebalancer = _keep_everything(stream, generator=0, num_replicas=2, rank=1)
    loader = DataLoader(rebalancer, batch_size=None, num_workers=2)
    assert sorted(int(i) for i, _ in loader) == [i for i in range(400) if i % 4 in (2, 3)]


def test_ranks_draw_with_different_generators():
    # the same share read by two ranks must not be decided by the same uniforms
    draws = [
        StreamRebalancer(STREAM[:2000], label_fn=label, priors=PRIORS, generator=0)
        ._pass_generator(None, reader)
        .initial_seed()
        for reader in (None, 1, 2)
    ]
    assert len(set(draws)) == 3


def test_set_epoch_reaches_persistent_workers():
    rebalancer = StreamRebalancer(STREAM[:4000], label_fn=label, priors=PRIORS, generator=0)
    loader = DataLoader(rebalancer, batch_size=None, num_workers=2, persistent_workers=True)
    kept = []
    for epoch in (0, 1, 1):
        rebalancer.set_epoch(epoch)
        kept.append(sorted(int(i) for i, _ in loader))
    assert kept[0] != kept[1] and kept[1] == kept[2]


def test_a_resumed_state_saved_again_before_the_next_pass_is_the_same():
    def make():
        return StreamRebalancer(STREAM[:4000], label_fn=label, priors=PRIORS, generator=0)

    first = make()
    items = iter(first)
    head = [next(items) for _ in range(50)]
    saved = first.state_dict()
    tail = list(items)
    resumed = make()
    resumed.load_state_dict(saved)
    assert resumed.state_dict() == saved
    again = make()
    again.load_state_dict(resumed.state_dict())
    assert list(again) == tail and not set(head) & set(tail)


def test_ranks_with_alike_seeded_generators_decide_differently():
    def kept(rank):
        rebalancer = StreamRebalancer(
            STREAM[:4000],
            label_fn=label,
            priors=PRIORS,
            num_replicas=2,
            rank=rank,
            generator=torch.Generator().manual_seed(0),
        )
        return [position // 2 for position, _ in rebalancer]  # positions within the share

    assert kept(0) != kept(1)


def test_a_mid_pass_state_from_other_ranks_is_refused():
    first = _keep_everything(STREAM[:600], generator=0, num_replicas=2, rank=0)
    items = iter(first)
    next(items)
    saved = first.state_dict()
    other = _keep_everything(STREAM[:600], generator=0, num_replicas=4, rank=0)
    with pytest.raises(InvalidParameterError, match="saved mid-pass by rank 0 of 2"):
        other.load_state_dict(saved)
    other.load_state_dict({**saved, "consumed": 0})  # the start of an epoch fits any ranks


def test_copies_keep_their_own_shared_epoch():
    import copy
    import pickle

    original = StreamRebalancer(STREAM[:100], label_fn=label, priors=PRIORS, generator=0)
    original.set_epoch(2)
    for twin in (
        copy.copy(original),
        copy.deepcopy(original),
        pickle.loads(pickle.dumps(original)),
    ):
        assert twin.epoch == 2 and twin._epoch.is_shared()
        twin.set_epoch(5)
        assert original.epoch == 2
    original.epoch = 3  # the attribute still sets the epoch
    assert original.epoch == 3
