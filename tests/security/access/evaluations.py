"""Expected answers of the evaluations app's URLs (format: tests/security/access/__init__.py).

Add one entry per URL name; objects of this app go on the world's sides through
tests.security.world.register_builder (see tests/security/world.py).
"""

EXPECTATIONS: dict = {}
