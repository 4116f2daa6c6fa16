"""coordination models."""

__all__: list[str] = []
