"""The ten step pages of the guided exit."""

from __future__ import annotations

from shopexit.gui.steps.page import StepPage

__all__ = ["StepPage"]
