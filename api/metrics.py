"""Prometheus metrics of one API process: requests and latencies per route, answers and abstentions,
the knowledge generation served. Each app gets its own registry, so tests and several apps in one process
do not mix their counts."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# Latency buckets (seconds) around the /v1/ask target of 100 ms.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The API's metrics, kept in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "bangfu_http_requests",
            "HTTP requests by route template, method and status code",
            ("route", "method", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "bangfu_http_request_duration_seconds",
            "HTTP request latency by route template and method",
            ("route", "method"),
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.answers = Counter(
            "bangfu_answers",
            "questions answered, by endpoint and outcome (answered or abstained)",
            ("endpoint", "outcome"),
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "bangfu_rate_limited",
            "requests refused with 429, by client role",
            ("role",),
            registry=self.registry,
        )
        self.generation = Gauge(
            "bangfu_knowledge_generation_info",
            "the knowledge generation served (value 1, the generation id as a label)",
            ("generation",),
            registry=self.registry,
        )
        self.documents = Gauge("bangfu_knowledge_documents", "documents served", registry=self.registry)
        self.chunks = Gauge("bangfu_knowledge_chunks", "chunks served", registry=self.registry)

    def observe_answer(self, endpoint: str, *, abstained: bool) -> None:
        """Count one answer of `endpoint` ("ask", "chat") as answered or abstained."""
        self.answers.labels(endpoint=endpoint, outcome="abstained" if abstained else "answered").inc()
