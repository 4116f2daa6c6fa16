"""hearing models."""

__all__: list[str] = []
