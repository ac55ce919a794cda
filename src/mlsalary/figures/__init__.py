"""Figures as data: the catalogue of headline figures, their computation, and the claim checker."""
