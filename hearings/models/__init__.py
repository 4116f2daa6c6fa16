"""Hearings (听证会) in ``hearing.py``; coordination meetings (协调会) in ``coordination.py``."""

from .coordination import *  # noqa: F401,F403
from .hearing import *  # noqa: F401,F403
