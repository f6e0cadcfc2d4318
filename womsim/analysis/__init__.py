"""womsim.analysis."""
