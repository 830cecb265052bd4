"""Prometheus metrics of one server instance (own registry, so tests can build many apps)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class ServerMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Histogram("seoul_assist_request_seconds", "HTTP request latency", ["method", "route", "status"],
                                  registry=self.registry, buckets=_LATENCY_BUCKETS)
        self.retrieval = Histogram("seoul_assist_retrieval_seconds", "Retrieval latency per question", ["assistant"],
                                   registry=self.registry, buckets=_LATENCY_BUCKETS)
        self.ttft = Histogram("seoul_assist_time_to_first_token_seconds", "Time to the first generated token",
                              ["assistant"], registry=self.registry, buckets=_LATENCY_BUCKETS)
        self.tokens = Counter("seoul_assist_generated_tokens_total", "Generated token pieces", ["assistant"],
                              registry=self.registry)
        self.answers = Counter("seoul_assist_answers_total", "Answers by mode", ["assistant", "mode"],
                               registry=self.registry)
        self.generation_waiting = Gauge("seoul_assist_generation_queue_waiting",
                                        "Questions waiting for the language model", registry=self.registry)
        self.ingest_queue = Gauge("seoul_assist_ingest_queue", "Upload jobs queued or running", registry=self.registry)

    def render(self) -> bytes:
        return generate_latest(self.registry)
