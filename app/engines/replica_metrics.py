"""The replica pools on `/metrics`: calls, failures and whether each replica is up, per endpoint,
and failovers per pool. Read from the pools when scraped: the pools own their counts."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from app.engines.replicas import ReplicaPool

Pools = Callable[[], Mapping[str, ReplicaPool]]  # the pools of the engines loaded now (none before)


class ReplicaCollector(Collector):
    def __init__(self, pools: Pools) -> None:
        self._pools = pools

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "bon_replica_requests",
            "Calls sent to each replica (a failover counts one on each).",
            labels=["pool", "endpoint"],
        )
        errors = CounterMetricFamily(
            "bon_replica_errors", "Calls to each replica that failed.", labels=["pool", "endpoint"]
        )
        up = GaugeMetricFamily(
            "bon_replica_up",
            "1 while the replica is taking requests, 0 while it is set aside.",
            labels=["pool", "endpoint"],
        )
        failovers = CounterMetricFamily(
            "bon_replica_failovers", "Calls moved to another replica because one could not be reached.", labels=["pool"]
        )
        for name, pool in self._pools().items():
            for state in pool.states():
                labels = [name, state.url]
                requests.add_metric(labels, state.requests)
                errors.add_metric(labels, state.errors)
                up.add_metric(labels, 1.0 if state.ready else 0.0)
            failovers.add_metric([name], pool.failovers)
        yield from (requests, errors, up, failovers)
