"""An independent verifier of Sanhui ballot bulletins (docs/BULLETIN.md).

Standard library only, and nothing of the server's code: it is written from the bulletin's
documentation so that anyone can re-check a published ballot without trusting the server.
Run ``python -m verifier BULLETIN.json`` (see verifier/README.md).
"""

from verifier.checks import Report, verify

__all__ = ["Report", "verify"]
