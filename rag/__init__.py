"""Shared retrieval (RAG) core of the Seoul public-sector assistant suite."""

__version__ = "0.1.0"
