"""Casework pages: one request and its moves (``cases``), the queues of each level and the heat (``queues``)."""
