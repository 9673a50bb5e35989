"""Statistical disclosure control: which aggregate cells may be published."""

from htz.disclosure.suppress import DOMINANCE, MIN_ENTERPRISES, withhold

__all__ = ["DOMINANCE", "MIN_ENTERPRISES", "withhold"]
