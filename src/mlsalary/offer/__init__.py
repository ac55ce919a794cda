"""The offer evaluator: an offer file -> year-by-year pay, equity scenarios, market position and negotiation."""
