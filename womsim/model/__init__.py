"""womsim.model."""
