"""womsim.engine."""
