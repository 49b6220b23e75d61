"""The travel-time interface every model (straight line, road network) provides."""

from __future__ import annotations

from typing import Protocol

from deploy_opt.travel.matrix import Points, TravelMatrix


class TravelModel(Protocol):
    """Computes travel times between point sets for one travel mode (agency)."""

    @property
    def name(self) -> str:
        """Short provenance label reported as ``travel_model`` (``straight_line``)."""
        ...

    def matrix(
        self,
        origins: Points,
        destinations: Points,
        mode: str,
        cutoff_s: int | None = None,
    ) -> TravelMatrix:
        """Travel seconds from every origin to every destination within the cutoff.

        Raises
        ------
        TravelTimeError
            When ``mode`` is unknown to the model.
        """
        ...
