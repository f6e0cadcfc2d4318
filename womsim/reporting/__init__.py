"""womsim.reporting."""
