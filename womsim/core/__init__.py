"""womsim.core."""
