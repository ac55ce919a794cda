"""Figures as data: the catalogue of 32 headline figures, their computation, and the claim checker."""
